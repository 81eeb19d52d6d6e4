package dev.icetune.store;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.TestingPostgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSchemaMigration
{
    @Test
    void concurrentStartsOfSeveralCoordinatorsDoNotRace()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("migrate");
        Callable<Integer> migrate = () -> database(url).migrate().applied();
        ExecutorService coordinators = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = coordinators.invokeAll(List.of(migrate, migrate, migrate, migrate));
            List<Integer> executed = new java.util.ArrayList<>();
            for (Future<Integer> result : results) {
                executed.add(result.get());
            }
            long migrations = new CapturedRows(url).count("SELECT count(*) FROM icetune_schema_history WHERE success AND version <> '0'");
            assertThat(migrations).isGreaterThanOrEqualTo(2);
            assertThat(executed).as("one coordinator applied every migration, the others found nothing to do")
                    .containsExactlyInAnyOrder((int) migrations, 0, 0, 0);
        }
        finally {
            coordinators.shutdownNow();
        }
    }

    @Test
    void partitionsAreCreatedAheadAndOldOnesDropped()
    {
        String url = TestingPostgres.shared().createDatabase("partitions");
        database(url).migrate();
        CapturedRows rows = new CapturedRows(url);
        TestingPostgres.execute(url,
                "CREATE TABLE query_logs_p20000101 PARTITION OF query_logs FOR VALUES FROM ('2000-01-01 00:00:00+00') TO ('2000-01-02 00:00:00+00')",
                "SELECT icetune_maintain_partitions(3, 30)");

        String partitions = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'query_logs'::regclass AND inhrelid::regclass::text LIKE 'query_logs_p%'";
        assertThat(rows.count(partitions)).as("yesterday through 7 days ahead, made by the migration").isEqualTo(9);
        assertThat(rows.count("SELECT count(*) FROM pg_class WHERE relname = 'query_logs_p20000101'")).as("older than retention").isZero();
        assertThat(rows.count("SELECT count(*) FROM pg_class WHERE relname = 'query_logs_p' || to_char((now() AT TIME ZONE 'UTC')::date + 3, 'YYYYMMDD')")).isEqualTo(1);
    }

    @Test
    void anUpgradeIndexesTheInsertionTimeOfTheDaysToComeAndLeavesTheWrittenOnesAlone()
    {
        String url = atVersion7("upgrade", "before");
        String today = "query_logs_p" + DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC));

        database(url).migrate();
        CapturedRows rows = new CapturedRows(url);
        String indexed = "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'query_logs_inserted_at_idx'::regclass AND c.relname = '%s_inserted_at_idx'";
        assertThat(rows.count(indexed.formatted(today))).as("today's partition, written before the upgrade: not read to build an index").isZero();
        String tomorrow = "query_logs_p" + DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC).plusDays(1));
        assertThat(rows.count(indexed.formatted(tomorrow))).as("tomorrow's, empty").isEqualTo(1);
        TestingPostgres.execute(url, "SELECT icetune_maintain_partitions(9, NULL)");
        String later = "query_logs_p" + DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC).plusDays(9));
        assertThat(rows.count(indexed.formatted(later))).as("a partition made after the upgrade").isEqualTo(1);
        assertThat(rows.count("SELECT count(*) FROM query_logs WHERE inserted_at IS NOT NULL")).as("the rows of before: the upgrade's time").isEqualTo(1);
    }

    @Test
    void migrateIndexesTheDaysWrittenBeforeTheUpgradeThatEvaluationsReadAndReplacesABuildCutShort()
    {
        String url = atVersion7("upgrade_index", "first", "second");
        // a day long past, written before the upgrade too: no evaluation reads it
        TestingPostgres.execute(url,
                "CREATE TABLE query_logs_p20000101 PARTITION OF query_logs FOR VALUES FROM ('2000-01-01 00:00:00+00') TO ('2000-01-02 00:00:00+00')",
                """
                INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated,
                    create_time, end_time, latency, input_count)
                VALUES ('long ago', '2000-01-01 12:00:00+00', 'FINISHED', true, 'u', 'SELECT 1', 8, false, now(), now(), 1, 1)""");
        String today = "query_logs_p" + DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC));
        database(url).migrate();
        // a build cut short leaves an invalid index under the name: here a unique one that the two rows of user 'u' break
        assertThatThrownBy(() -> TestingPostgres.execute(url, "CREATE UNIQUE INDEX CONCURRENTLY %s_inserted_at_idx ON %s (user_name)".formatted(today, today)))
                .hasMessageContaining("could not create unique index");
        Instant baselineStart = Instant.now().minus(Duration.ofDays(7)).minus(Duration.ofHours(1));
        assertThat(InsertionTimeIndex.missing(database(url), baselineStart)).isEqualTo(1);

        List<String> progress = new ArrayList<>();
        TestingPostgres.execute(url, "DO $$ BEGIN CREATE ROLE icetune_not_owner LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        assertThatThrownBy(() -> InsertionTimeIndex.complete(Database.of(url, "icetune_not_owner", "icetune-test"), baselineStart, progress::add))
                .hasMessageContaining("must be owner").hasMessageContaining("run migrate with the owner of query_logs as icetune.db.user");
        progress.clear();

        assertThat(InsertionTimeIndex.complete(database(url), baselineStart, progress::add)).isEqualTo(1);
        assertThat(progress).containsExactly("indexing inserted_at of public.%s, written before version 8 (writes go on)".formatted(today));
        String indexed = """
                SELECT count(*) FROM pg_inherits x JOIN pg_indexes i ON i.indexname = x.inhrelid::regclass::text
                WHERE x.inhparent = 'query_logs_inserted_at_idx'::regclass AND i.tablename = '%s' AND i.indexdef LIKE '%%USING brin (inserted_at)'""";
        CapturedRows rows = new CapturedRows(url);
        assertThat(rows.count(indexed.formatted(today))).as("today's partition, indexed on inserted_at and attached").isEqualTo(1);
        assertThat(rows.count(indexed.formatted("query_logs_p20000101"))).as("the day long past, left alone").isZero();
        assertThat(InsertionTimeIndex.missing(database(url), baselineStart)).as("nothing left that evaluations read").isZero();

        assertThat(InsertionTimeIndex.complete(database(url), Instant.parse("1999-12-01T00:00:00Z"), progress::add)).as("with a longer baseline").isEqualTo(1);
        assertThat(rows.count("SELECT count(*) FROM pg_index WHERE indexrelid = 'query_logs_inserted_at_idx'::regclass AND indisvalid"))
                .as("every partition indexed: the partitioned index is valid").isEqualTo(1);
        assertThat(InsertionTimeIndex.complete(database(url), Instant.parse("1999-12-01T00:00:00Z"), progress::add)).as("nothing left to do").isZero();
    }

    @Test
    void theCurrentVersionIsTheNewestMigration()
            throws Exception
    {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of("migrations"))) {
            int newest = files.map(file -> file.getFileName().toString()).filter(name -> name.matches("V\\d+__.*\\.sql"))
                    .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__")))).max().orElseThrow();
            assertThat(SchemaMigrator.CURRENT_VERSION).isEqualTo(String.valueOf(newest));
        }
        String url = TestingPostgres.shared().createDatabase("current");
        assertThat(database(url).migrate().applied()).isEqualTo(newestCount());
        assertThat(database(url).migrate().applied()).as("a database at the current version is left alone").isZero();
    }

    private static int newestCount()
            throws Exception
    {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of("migrations"))) {
            return (int) files.filter(file -> file.getFileName().toString().endsWith(".sql")).count();
        }
    }

    @Test
    void anUpgradeToVersion9TakesTheRolledUpPeriodsAsCheckedAtTheLastRollAndAnEngineOfBeforeStillRecordsItsRolls()
    {
        String url = atVersion("8", "upgrade_checked");
        TestingPostgres.execute(url, "INSERT INTO pattern_rollups_rolled (period, starts, rolled_at) VALUES "
                + "('day', '2026-11-14T00:00:00Z', '2026-11-20T10:00:00Z'), ('hour', '2026-11-13T10:00:00Z', '2026-11-20T11:00:00Z')");
        database(url).migrate();
        CapturedRows rows = new CapturedRows(url);
        // the check before version 9 read the rows inserted since the last roll: every period was checked as of then
        assertThat(rows.count("SELECT count(*) FROM pattern_rollups_rolled WHERE checked_at = '2026-11-20T11:00:00Z'")).isEqualTo(2);
        // an engine of version 8 still running beside an upgraded plugin records a roll as it did: as checked then
        TestingPostgres.execute(url, "INSERT INTO pattern_rollups_rolled (period, starts, rolled_at) VALUES ('hour', '2026-11-20T09:00:00Z', now())");
        assertThat(rows.count("SELECT count(*) FROM pattern_rollups_rolled WHERE starts = '2026-11-20T09:00:00Z' AND checked_at = rolled_at")).isEqualTo(1);
    }

    @Test
    void anUpgradeToVersion10IndexesTheInsertionTimeOfTheStartsToComeAndLeavesTheWrittenOnesAlone()
    {
        String url = atVersion("9", "upgrade_starts");
        TestingPostgres.execute(url, "INSERT INTO query_starts (query_id, create_time, user_name) VALUES ('before', now(), 'u')");
        database(url).migrate();
        CapturedRows rows = new CapturedRows(url);
        String indexed = "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'query_starts_inserted_at_idx'::regclass AND c.relname = '%s_inserted_at_idx'";
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        assertThat(rows.count(indexed.formatted("query_starts_p" + DateTimeFormatter.BASIC_ISO_DATE.format(day))))
                .as("today's partition, written before the upgrade: not read to build an index").isZero();
        assertThat(rows.count(indexed.formatted("query_starts_p" + DateTimeFormatter.BASIC_ISO_DATE.format(day.plusDays(1))))).as("tomorrow's, empty").isEqualTo(1);
        TestingPostgres.execute(url, "SELECT icetune_maintain_partitions(9, NULL)");
        assertThat(rows.count(indexed.formatted("query_starts_p" + DateTimeFormatter.BASIC_ISO_DATE.format(day.plusDays(9))))).as("a partition made after the upgrade").isEqualTo(1);
        assertThat(rows.count("SELECT count(*) FROM query_starts WHERE inserted_at IS NOT NULL")).as("the start of before: the upgrade's time").isEqualTo(1);
        // as the listener of before writes a start, naming its columns: inserted when it is
        TestingPostgres.execute(url, "INSERT INTO query_starts (query_id, create_time, user_name) VALUES ('after', now() - interval '1 hour', 'u')");
        assertThat(rows.count("SELECT count(*) FROM query_starts WHERE query_id = 'after' AND inserted_at > create_time")).isEqualTo(1);
    }

    /** A new database at schema version 7, before inserted_at, holding queries of user 'u' that ended now. */
    private static String atVersion7(String prefix, String... queryIds)
    {
        String url = atVersion("7", prefix);
        for (String queryId : queryIds) {
            TestingPostgres.execute(url, """
                    INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated,
                        create_time, end_time, latency, input_count)
                    VALUES ('%s', now(), 'FINISHED', true, 'u', 'SELECT 1', 8, false, now(), now(), 1, 1)""".formatted(queryId));
        }
        return url;
    }

    private static String atVersion(String version, String prefix)
    {
        String url = TestingPostgres.shared().createDatabase(prefix);
        Flyway.configure().dataSource(url, "postgres", "").locations(SchemaMigrator.LOCATION).table(SchemaMigrator.HISTORY_TABLE)
                .target(version).load().migrate();
        return url;
    }

    static Database database(String url)
    {
        return Database.of(url, "postgres", "icetune-test");
    }
}
