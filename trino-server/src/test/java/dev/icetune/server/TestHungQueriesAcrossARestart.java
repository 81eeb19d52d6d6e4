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
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("restart_capture");
        String catalogUrl = postgres.createDatabase("restart_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        Path warehouse = temporary.resolve("warehouse");
        CapturedRows rows = new CapturedRows(captureUrl);
        TrinoServerProcess trino = TrinoServerProcess.start(TrinoServerProcess.assembledServer(), temporary.resolve("server"), catalogUrl, warehouse,
                Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres"));
        try {
            quickRuns(trino, rows);

            String cutOff = startLongQuery(trino, rows, "cut-off");
            trino.kill(); // as the kernel's OOM killer or a host's power does; a stop (SIGTERM) sends the completion or not, as its race goes
            assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id = ?", cutOff)).as("Trino sent no completion of the query it cut off").isZero();
            trino.start();
            String runningOn = startLongQuery(trino, rows, "running-on");
            Instant since = Instant.now();

            Path config = temporary.resolve("icetune.properties");
            Files.writeString(config, "icetune.db.url=%s\nicetune.db.user=postgres\nicetune.rules.dir=%s\n".formatted(captureUrl, Path.of("../rules").toAbsolutePath()));
            // a minute and more of running (hung.min_running_minutes): a real wait, as an operator's would be
            Thread.sleep(Duration.ofSeconds(65).minus(Duration.between(since, Instant.now())).toMillis());
            assertThat(icetune(config, "evaluate")).isZero();

            assertThat(rows.query("SELECT evidence ->> 'query_ids' AS ids FROM recommendations WHERE rule_id = 'hung-queries'"))
                    .as("starts %s, completions %s", rows.query("SELECT * FROM query_starts"), rows.query("SELECT query_id, state, error_code, error_message FROM query_logs"))
                    .singleElement()
                    .satisfies(alert -> assertThat(String.valueOf(alert.get("ids"))).contains(runningOn).doesNotContain(cutOff));
        }
        finally {
            trino.close();
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
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("stopped_capture");
        String catalogUrl = postgres.createDatabase("stopped_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        CapturedRows rows = new CapturedRows(captureUrl);
        TrinoServerProcess trino = TrinoServerProcess.start(TrinoServerProcess.assembledServer(), temporary.resolve("stopped-server"), catalogUrl,
                temporary.resolve("stopped-warehouse"), Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres"));
        try {
            quickRuns(trino, rows);
            String stopped = startLongQuery(trino, rows, "stopped");
            Instant since = Instant.now();
            trino.stop();
            // Trino's stop races its queries' end: a completion failing the query comes or not; without one, it is recorded as ended
            assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id = ?", stopped) + rows.count("SELECT count(*) FROM lost_completions WHERE query_id = ?", stopped))
                    .as("its completion, or its record as ended without one (log: %s)", trino.tail()).isOne();

            Path config = temporary.resolve("stopped.properties");
            Files.writeString(config, "icetune.db.url=%s\nicetune.db.user=postgres\nicetune.rules.dir=%s\n".formatted(captureUrl, Path.of("../rules").toAbsolutePath()));
            Thread.sleep(Duration.ofSeconds(65).minus(Duration.between(since, Instant.now())).toMillis());
            assertThat(icetune(config, "evaluate")).isZero();
            assertThat(rows.count("SELECT count(*) FROM recommendations WHERE rule_id = 'hung-queries'")).isZero();
        }
        finally {
            trino.close();
        }
    }

    /** The pattern's p95: five quick runs. */
    private static void quickRuns(TrinoServerProcess trino, CapturedRows rows)
            throws SQLException
    {
        try (Connection connection = trino.connect("quick"); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 5; i++) {
                try (ResultSet result = statement.executeQuery(TRIPLE.formatted(10, 10, 10 + i))) {
                    result.next();
                }
            }
        }
        rows.await(5, "SELECT * FROM query_logs WHERE user_name = 'quick'");
    }

    /** A query of hours, run by {@code user} beside the test; its id once its start is stored. */
    private static String startLongQuery(TrinoServerProcess trino, CapturedRows rows, String user)
    {
        CompletableFuture.runAsync(() -> {
            try (Connection connection = trino.connect(user); Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery(TRIPLE.formatted(10_000, 10_000, 10_000))) {
                result.next(); // the count comes at the end: closing the statement before would cancel the query
            }
            catch (SQLException ended) {
                // by the server's stop
            }
        });
        return String.valueOf(rows.await(1, "SELECT query_id FROM query_starts WHERE user_name = ?", user).getFirst().get("query_id"));
    }

    private static int icetune(Path config, String... args)
    {
        return Cli.run(config, new ByteArrayOutputStream(), args);
    }
}
