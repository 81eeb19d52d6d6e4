package dev.icetune.listener;

import dev.icetune.sql.SchemaMigrator;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class TestSchemaMigration
{
    @Test
    void concurrentStartsOfSeveralCoordinatorsDoNotRace()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("migrate");
        Callable<Integer> migrate = () -> SchemaMigrator.migrate(url, Optional.of("postgres"), Optional.empty()).migrationsExecuted;
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
        SchemaMigrator.migrate(url, Optional.of("postgres"), Optional.empty());
        CapturedRows rows = new CapturedRows(url);
        TestingPostgres.execute(url,
                "CREATE TABLE query_logs_p20000101 PARTITION OF query_logs FOR VALUES FROM ('2000-01-01 00:00:00+00') TO ('2000-01-02 00:00:00+00')",
                "SELECT icetune_maintain_partitions(3, 30)");

        String partitions = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'query_logs'::regclass AND inhrelid::regclass::text LIKE 'query_logs_p%'";
        assertThat(rows.count(partitions)).as("yesterday through 7 days ahead, made by the migration").isEqualTo(9);
        assertThat(rows.count("SELECT count(*) FROM pg_class WHERE relname = 'query_logs_p20000101'")).as("older than retention").isZero();
        assertThat(rows.count("SELECT count(*) FROM pg_class WHERE relname = 'query_logs_p' || to_char((now() AT TIME ZONE 'UTC')::date + 3, 'YYYYMMDD')")).isEqualTo(1);
    }
}
