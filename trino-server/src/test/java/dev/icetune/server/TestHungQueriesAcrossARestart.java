package dev.icetune.server;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Met from outside: the assembled Trino 483 stopped under a running query sent no completion for it, and after the restart
 * hung-queries alerted on it (CRITICAL, with a kill_query call for a query that no longer exists) for a day. Here the same,
 * as an operator meets it: a query running when Trino dies, Trino started again, a query that really runs on, and an
 * evaluation through the CLI a minute later (hung.min_running_minutes, as shipped).
 */
class TestHungQueriesAcrossARestart
{
    /** Three cross-joined sequences: milliseconds with small bounds, hours with large ones; one pattern either way. */
    private static final String TRIPLE = "SELECT count(*) FROM UNNEST(sequence(1, %d)) a(x) CROSS JOIN UNNEST(sequence(1, %d)) b(y) CROSS JOIN UNNEST(sequence(1, %d)) c(z) WHERE (x + y + z) %% 7 = 3";

    @TempDir
    static Path temporary;

    @Test
    void aQueryCutOffByARestartIsNoHungQueryWhileOneRunningOnIsStill()
            throws Exception
    {
        try (Capture capture = Capture.started("restart")) {
            String cutOff = startLongQuery(capture, "cut-off");
            capture.trino().kill(); // as the kernel's OOM killer or a host's power does; a stop (SIGTERM) sends the completion or not, as its race goes
            assertThat(capture.rows().count("SELECT count(*) FROM query_logs WHERE query_id = ?", cutOff)).as("Trino sent no completion of the query it cut off").isZero();
            capture.trino().start();
            String runningOn = startLongQuery(capture, "running-on");

            capture.evaluateAfter(Instant.now(), Duration.ofSeconds(65)); // a minute and more: hung.min_running_minutes, as shipped
            assertThat(capture.rows().query("SELECT evidence ->> 'query_ids' AS ids FROM recommendations WHERE rule_id = 'hung-queries'"))
                    .as("starts %s, completions %s", capture.rows().query("SELECT * FROM query_starts"),
                            capture.rows().query("SELECT query_id, state, error_code, error_message FROM query_logs"))
                    .singleElement()
                    .satisfies(alert -> assertThat(String.valueOf(alert.get("ids"))).contains(runningOn).doesNotContain(cutOff));
        }
    }

    /**
     * Met from outside: Trino stopped (SIGTERM, as {@code systemctl stop} does) under a running query sent no completion for it, and
     * while it stayed down (a maintenance) an evaluation a minute later opened a CRITICAL hung-queries recommendation for it, the
     * alert QueriesHung with it. The listener records the queries running as Trino stops as ended without a completion.
     */
    @Test
    void aQueryRunningWhenTrinoIsStoppedIsNoHungQueryWhileTrinoStaysDown()
            throws Exception
    {
        try (Capture capture = Capture.started("stopped")) {
            String stopped = startLongQuery(capture, "stopped");
            Instant since = Instant.now();
            capture.trino().stop();
            // Trino's stop races its queries' end: a completion failing the query comes or not; without one, it is recorded as ended
            assertThat(capture.rows().count("SELECT count(*) FROM query_logs WHERE query_id = ?", stopped)
                    + capture.rows().count("SELECT count(*) FROM lost_completions WHERE query_id = ?", stopped))
                    .as("its completion, or its record as ended without one (log: %s)", capture.trino().tail()).isOne();

            capture.evaluateAfter(since, Duration.ofSeconds(65));
            assertThat(capture.rows().count("SELECT count(*) FROM recommendations WHERE rule_id = 'hung-queries'")).isZero();
        }
    }

    /**
     * Met from outside: Trino killed (kill -9, as the OOM killer does) under a running query and left down: neither a completion
     * nor a record of its end, and hung-queries paged for the query (CRITICAL, its kill_query call) until a coordinator of the
     * cluster started a query again. The listener says its coordinator alive every 30 s: silent for 2 minutes, it is gone.
     */
    @Test
    void aQueryRunningWhenTrinoIsKilledIsHungNoMoreOnceTrinoHasBeenSilentForTwoMinutes()
            throws Exception
    {
        try (Capture capture = Capture.started("killed")) {
            String killed = startLongQuery(capture, "killed");
            capture.trino().kill();
            Instant killedAt = Instant.now();
            assertThat(capture.rows().count("SELECT count(*) FROM query_logs WHERE query_id = ?", killed)
                    + capture.rows().count("SELECT count(*) FROM lost_completions WHERE query_id = ?", killed)).as("no sign of its end").isZero();

            // within two minutes of its last heartbeat, the query may still be running as far as can be told
            capture.evaluateAfter(killedAt, Duration.ofSeconds(65));
            assertThat(capture.rows().query("SELECT evidence ->> 'query_ids' AS ids FROM recommendations WHERE rule_id = 'hung-queries'"))
                    .singleElement().satisfies(alert -> assertThat(String.valueOf(alert.get("ids"))).contains(killed));

            capture.evaluateAfter(killedAt, Duration.ofSeconds(125));
            assertThat(capture.rows().query("SELECT missed_evaluations FROM recommendations WHERE rule_id = 'hung-queries'"))
                    .as("the alert's condition no longer holds").containsExactly(Map.of("missed_evaluations", 1));
        }
    }

    /** The assembled Trino capturing into a database of its own, the pattern's p95 set by five quick runs. */
    private record Capture(String name, String url, CapturedRows rows, TrinoServerProcess trino)
            implements AutoCloseable
    {
        static Capture started(String name)
                throws Exception
        {
            TestingPostgres postgres = TestingPostgres.shared();
            String url = postgres.createDatabase(name + "_capture");
            String catalogUrl = postgres.createDatabase(name + "_catalog");
            LocalIcebergCatalog.prepare(catalogUrl);
            Capture capture = new Capture(name, url, new CapturedRows(url), TrinoServerProcess.start(TrinoServerProcess.assembledServer(),
                    temporary.resolve(name + "-server"), catalogUrl, temporary.resolve(name + "-warehouse"), Map.of("icetune.db.url", url, "icetune.db.user", "postgres")));
            try (Connection connection = capture.trino().connect("quick"); Statement statement = connection.createStatement()) {
                for (int i = 0; i < 5; i++) {
                    try (ResultSet result = statement.executeQuery(TRIPLE.formatted(10, 10, 10 + i))) {
                        result.next();
                    }
                }
            }
            capture.rows().await(5, "SELECT * FROM query_logs WHERE user_name = 'quick'");
            return capture;
        }

        /** An evaluation through the CLI {@code wait} after {@code since}: a real wait, as an operator's would be. */
        void evaluateAfter(Instant since, Duration wait)
                throws Exception
        {
            Path config = temporary.resolve(name + ".properties");
            Files.writeString(config, "icetune.db.url=%s\nicetune.db.user=postgres\nicetune.rules.dir=%s\n".formatted(url, Path.of("../rules").toAbsolutePath()));
            Thread.sleep(Math.max(0, wait.minus(Duration.between(since, Instant.now())).toMillis()));
            assertThat(Cli.run(config, new ByteArrayOutputStream(), "evaluate")).isZero();
        }

        @Override
        public void close()
                throws InterruptedException
        {
            trino.close();
        }
    }

    /** A query of hours, run by {@code user} beside the test; its id once its start is stored. */
    private static String startLongQuery(Capture capture, String user)
    {
        CompletableFuture.runAsync(() -> {
            try (Connection connection = capture.trino().connect(user); Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery(TRIPLE.formatted(10_000, 10_000, 10_000))) {
                result.next(); // the count comes at the end: closing the statement before would cancel the query
            }
            catch (SQLException ended) {
                // by the server's stop
            }
        });
        return String.valueOf(capture.rows().await(1, "SELECT query_id FROM query_starts WHERE user_name = ?", user).getFirst().get("query_id"));
    }
}
