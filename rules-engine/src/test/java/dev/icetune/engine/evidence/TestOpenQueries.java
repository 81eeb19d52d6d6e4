package dev.icetune.engine.evidence;

import dev.icetune.engine.facts.RunningQueryFact;
import dev.icetune.store.Database;
import dev.icetune.store.Reports;
import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The open queries kept between evaluations against their definition read from the raw rows at each step: the starts of
 * the day before the end, at least a minute old, with no completion in query_logs. Two clusters; queries completing
 * between checks; a journal replayed after an outage inserting old starts late; a completion stored before its start; an
 * evaluation of an earlier end than the kept ones cover.
 */
class TestOpenQueries
{
    private static final Instant END = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private Jdbi jdbi;

    @BeforeEach
    void createDatabase()
    {
        String url = TestingPostgres.shared().createDatabase("open_queries");
        Database.of(url, "postgres", "icetune-test").migrate();
        jdbi = Jdbi.create(url, "postgres", "");
        // 3,000 queries started over the 25 hours before the end, on two clusters; two in three completed two seconds later
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO query_starts (query_id, create_time, user_name, query_pattern_hash, cluster_name)
                        SELECT 'q' || g, CAST(:end AS timestamptz) - g * interval '30 seconds', 'u' || g % 5, 'h' || g % 7, CASE WHEN g % 2 = 0 THEN 'default' ELSE 'etl' END
                        FROM generate_series(1, 3000) AS g""")
                .bind("end", Timestamp.from(END)).execute());
        complete("SELECT query_id FROM query_starts WHERE right(query_id, 1) NOT IN ('0', '3', '6', '9')");
    }

    @Test
    void theFirstCheckFindsTheStartsWithoutACompletion()
    {
        List<RunningQueryFact> open = read(END, Optional.empty());
        assertThat(open).map(RunningQueryFact::queryId).containsExactlyInAnyOrderElementsOf(defined(END, Optional.empty()));
        assertIsDefinition(END, Optional.of("etl"));
        RunningQueryFact one = open.stream().filter(query -> query.queryId().equals("q30")).findFirst().orElseThrow();
        assertThat(one).isEqualTo(new RunningQueryFact("q30", "h2", "default", "u0", END.minusSeconds(900), 900_000));
    }

    /**
     * Met from outside: the listener's journal filled its disk during an outage, and a query started before lost its completion;
     * it was reported hung, CRITICAL, for a day. Its completion recorded as lost, it is not running, at the first check or later.
     */
    @Test
    void aQueryWhoseCompletionWasLostIsNotRunning()
    {
        assertThat(read(END, Optional.empty())).map(RunningQueryFact::queryId).contains("q30", "q60");
        jdbi.useHandle(handle -> handle.execute("INSERT INTO lost_completions (query_id, cluster_name) VALUES ('q30', 'default')"));

        assertThat(read(END, Optional.empty())).map(RunningQueryFact::queryId).doesNotContain("q30").contains("q60")
                .containsExactlyInAnyOrderElementsOf(defined(END, Optional.empty()));
    }

    @Test
    void laterChecksSeeWhatArrivedSince()
    {
        read(END, Optional.empty());
        // as if that check and the inserts before it were an hour ago
        age(Duration.ofHours(1));

        // since: queries open then completed; new queries started, some completed; a journal replayed after an outage inserts
        // starts of three hours ago, two still running; a completion stored before its start (the writer's parts commit apart)
        complete("SELECT query_id FROM query_starts WHERE right(query_id, 1) = '9' AND create_time > now() - interval '10 hours'");
        jdbi.useHandle(handle -> {
            handle.execute("""
                    INSERT INTO query_starts (query_id, create_time, user_name, query_pattern_hash, cluster_name)
                    SELECT 'new' || g, now() - g * interval '5 seconds', 'u', 'h1', 'default' FROM generate_series(1, 100) AS g""");
            handle.execute("""
                    INSERT INTO query_starts (query_id, create_time, user_name, query_pattern_hash, cluster_name)
                    SELECT 'replayed' || g, now() - interval '3 hours' - g * interval '1 second', 'r', 'h2', 'etl' FROM generate_series(1, 5) AS g""");
        });
        complete("SELECT query_id FROM query_starts WHERE query_id LIKE 'new%' AND right(query_id, 1) <> '7' OR query_id IN ('replayed1', 'replayed2', 'replayed3')");
        complete("SELECT 'early'");
        jdbi.useHandle(handle -> handle.execute("INSERT INTO query_starts (query_id, create_time, user_name, cluster_name) VALUES ('early', now() - interval '2 hours', 'u', 'etl')"));

        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(90);
        List<String> open = read(end, Optional.empty()).stream().map(RunningQueryFact::queryId).toList();
        assertThat(open).as("the replayed starts still running").contains("replayed4", "replayed5").doesNotContain("replayed1", "early", "q9");
        assertThat(open).as("the new starts still running").contains("new7", "new17").doesNotContain("new1");
        assertIsDefinition(end, Optional.empty());
        assertIsDefinition(end, Optional.of("default"));
        assertIsDefinition(end, Optional.of("etl"));
    }

    /**
     * Met from outside: Trino stopped under a running query sends no completion for it, and hung-queries alerted on it (CRITICAL,
     * with its kill_query call) for a day after the restart. A coordinator's id ends each of its query ids.
     */
    @Test
    void aQueryCutOffByARestartOfItsCoordinatorIsOpenNoMore()
    {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // cluster bi: coordinator abcde, one of its queries running when it stopped
        start("20261204_100000_00001_abcde", now.minus(Duration.ofMinutes(50)), "bi");
        start("20261204_100100_00002_abcde", now.minus(Duration.ofMinutes(45)), "bi");
        complete("SELECT '20261204_100100_00002_abcde'");
        // cluster ha: two coordinators of one name side by side, both running queries; one query of kmnpq is still running
        start("20261204_100000_00001_kmnpq", now.minus(Duration.ofMinutes(50)), "ha");
        start("20261204_100200_00001_rstuv", now.minus(Duration.ofMinutes(40)), "ha");
        start("20261204_100300_00002_kmnpq", now.minus(Duration.ofMinutes(30)), "ha");
        complete("SELECT query_id FROM query_starts WHERE query_id IN ('20261204_100200_00001_rstuv', '20261204_100300_00002_kmnpq')");
        Instant end = now.plusSeconds(90);
        assertThat(read(end, Optional.empty())).map(RunningQueryFact::queryId).as("before the restart: both running as far as can be told")
                .contains("20261204_100000_00001_abcde", "20261204_100000_00001_kmnpq");

        // bi restarts as coordinator fghij, which starts queries: one completes, one is still running
        age(Duration.ofMinutes(10));
        start("20261204_101000_00000_fghij", now.minus(Duration.ofMinutes(20)), "bi");
        start("20261204_101100_00001_fghij", now.minus(Duration.ofMinutes(15)), "bi");
        complete("SELECT '20261204_101000_00000_fghij'");

        List<String> open = read(end, Optional.empty()).stream().map(RunningQueryFact::queryId).toList();
        assertThat(open).as("the query the restart cut off").doesNotContain("20261204_100000_00001_abcde");
        assertThat(open).as("the new coordinator's running query, and that of a coordinator beside another")
                .contains("20261204_101100_00001_fghij", "20261204_100000_00001_kmnpq");
        assertThat(read(end, Optional.of("bi"))).map(RunningQueryFact::queryId).containsExactly("20261204_101100_00001_fghij");
        // and the current-load report's queries running now (met from outside: a query Trino's kill cut off, running there for a day)
        List<Map<String, Object>> load = jdbi.withHandle(handle -> handle.createQuery(Reports.sql("current-load").orElseThrow()).mapToMap().list());
        assertThat(load)
                .filteredOn(row -> List.of("bi", "ha").contains(row.get("cluster_name")))
                .extracting(row -> row.get("cluster_name") + " " + row.get("running_now")).containsExactlyInAnyOrder("bi 1", "ha 1");
        // read directly (an earlier end than the kept ones cover), the same
        jdbi.useHandle(handle -> handle.execute("UPDATE open_queries_checked SET covered_from = now()")); // the end's day is no longer covered
        assertThat(read(end, Optional.of("bi"))).map(RunningQueryFact::queryId).containsExactly("20261204_101100_00001_fghij");
    }

    /**
     * Met from outside: a coordinator killed (kill -9, as the OOM killer does) and left down sends no completion for the queries
     * it was running, and they were reported hung (CRITICAL, with their kill_query calls) until a coordinator of the cluster
     * started a query again. Each listener says its coordinator is alive every 30 s; one silent for 2 minutes is gone.
     */
    @Test
    void aQueryOfACoordinatorGoneSilentIsOpenNoMore()
    {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        start("20261204_100000_00001_abcde", now.minus(Duration.ofMinutes(50)), "bi"); // killed 3 minutes ago
        start("20261204_100000_00001_fghij", now.minus(Duration.ofMinutes(50)), "ha"); // alive: its query is running
        start("20261204_100000_00001_kmnpq", now.minus(Duration.ofMinutes(50)), "etl"); // a listener too old to say it is alive
        jdbi.useHandle(handle -> handle.execute("""
                INSERT INTO coordinator_heartbeats (cluster_name, coordinator_id, seen_at)
                VALUES ('bi', 'abcde', now() - interval '3 minutes'), ('ha', 'fghij', now() - interval '30 seconds'),
                       ('ha', 'abcde', now() - interval '10 seconds')"""));

        List<String> open = read(now, Optional.empty()).stream().map(RunningQueryFact::queryId).toList();
        assertThat(open).as("the killed coordinator's query").doesNotContain("20261204_100000_00001_abcde");
        assertThat(open).as("an alive coordinator's, and one of a coordinator that says nothing").contains("20261204_100000_00001_fghij", "20261204_100000_00001_kmnpq");
        List<Map<String, Object>> load = jdbi.withHandle(handle -> handle.createQuery(Reports.sql("current-load").orElseThrow()).mapToMap().list());
        assertThat(load).filteredOn(row -> List.of("bi", "ha").contains(row.get("cluster_name")))
                .extracting(row -> row.get("cluster_name") + " " + row.get("running_now")).containsExactly("ha 1");
        jdbi.useHandle(handle -> handle.execute("UPDATE open_queries_checked SET covered_from = now()")); // read directly, the same
        assertThat(read(now, Optional.of("bi"))).isEmpty();
        assertThat(read(now.minus(Duration.ofMinutes(10)), Optional.of("bi"))).as("at an end when it was still alive")
                .map(RunningQueryFact::queryId).containsExactly("20261204_100000_00001_abcde");
    }

    @Test
    void anEarlierEndThanTheKeptOnesCoverIsReadDirectly()
    {
        read(END, Optional.empty());
        Instant earlier = END.minus(Duration.ofHours(2));
        assertIsDefinition(earlier, Optional.empty());
        // and the kept ones still serve the later end
        assertIsDefinition(END, Optional.empty());
    }

    private void assertIsDefinition(Instant end, Optional<String> cluster)
    {
        assertThat(read(end, cluster)).as("the open queries at %s, of %s", end, cluster.orElse("every cluster"))
                .map(RunningQueryFact::queryId).containsExactlyInAnyOrderElementsOf(defined(end, cluster));
    }

    private List<RunningQueryFact> read(Instant end, Optional<String> cluster)
    {
        return jdbi.withHandle(handle -> OpenQueries.read(handle, end, cluster));
    }

    /** The open queries by definition: the starts of the day before {@code end}, a minute old or more, with no completion. */
    private List<String> defined(Instant end, Optional<String> cluster)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT query_id FROM query_starts s
                        WHERE create_time >= CAST(:end AS timestamptz) - interval '1 day' AND create_time < CAST(:end AS timestamptz) - interval '1 minute'
                          AND cluster_name LIKE :cluster AND NOT EXISTS (SELECT 1 FROM query_logs l WHERE l.query_id = s.query_id)
                          AND NOT EXISTS (SELECT 1 FROM lost_completions x WHERE x.query_id = s.query_id)""")
                .bind("end", Timestamp.from(end)).bind("cluster", cluster.orElse("%")).mapTo(String.class).list());
    }

    private void start(String queryId, Instant created, String cluster)
    {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO query_starts (query_id, create_time, user_name, cluster_name) VALUES (:id, :created, 'u', :cluster)")
                .bind("id", queryId).bind("created", Timestamp.from(created)).bind("cluster", cluster).execute());
    }

    /** A completion, two seconds after its start (or now, when the start is not stored yet), of each query {@code ids} selects. */
    private void complete(String ids)
    {
        jdbi.useHandle(handle -> handle.execute("""
                INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated, create_time, end_time, latency, input_count)
                SELECT i.id, coalesce(s.create_time + interval '2 seconds', now()), 'FINISHED', true, 'u', 'SELECT 1', 8, false,
                       coalesce(s.create_time, now() - interval '2 seconds'), coalesce(s.create_time + interval '2 seconds', now()), 2000, 0
                FROM (<ids>) AS i(id) LEFT JOIN query_starts s ON s.query_id = i.id""".replace("<ids>", ids)));
    }

    /** As if the last check and every insert before now were {@code ago} earlier: time passing without a check. */
    private void age(Duration ago)
    {
        jdbi.useHandle(handle -> {
            handle.createUpdate("UPDATE query_starts SET inserted_at = inserted_at - CAST(:ago AS interval)").bind("ago", ago.toSeconds() + " seconds").execute();
            handle.createUpdate("UPDATE open_queries_checked SET checked_at = checked_at - CAST(:ago AS interval)").bind("ago", ago.toSeconds() + " seconds").execute();
        });
    }
}
