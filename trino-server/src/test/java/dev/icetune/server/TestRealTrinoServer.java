package dev.icetune.server;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaging test: the assembled Trino 483 server, started as a separate process with the listener
 * unpacked into plugin/icetune from its archive, queried over the client protocol (Trino JDBC). A class
 * loading or dependency mistake in the archive fails here, not at a user's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestRealTrinoServer
{
    @TempDir
    static Path temporary;

    private TrinoServerProcess server;
    private String captureUrl;
    private String catalogUrl;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        captureUrl = postgres.createDatabase("server_capture");
        catalogUrl = postgres.createDatabase("server_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        server = TrinoServerProcess.start(TrinoServerProcess.assembledServer(), temporary.resolve("server"), catalogUrl, temporary.resolve("warehouse"), Map.of(
                "icetune.db.url", captureUrl,
                "icetune.db.user", "postgres",
                // the embedded server trusts local connections; the password must not show in the log
                "icetune.db.password", "not-a-real-s3cret"));
    }

    @AfterAll
    void stop()
            throws Exception
    {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void queriesOverTheClientProtocolLandInQueryLogsWithTheirIcebergScans()
            throws Exception
    {
        String queryId;
        try (Connection connection = server.connect("icetune-test"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA iceberg.demo");
            statement.execute("CREATE TABLE iceberg.demo.events (ts timestamp(6), user_id bigint) WITH (partitioning = ARRAY['day(ts)'])");
            for (int day = 1; day <= 5; day++) {
                statement.execute("INSERT INTO iceberg.demo.events VALUES (TIMESTAMP '2024-01-0" + day + " 10:00:00', " + day + ")");
            }
            try (ResultSet result = statement.executeQuery(
                    "SELECT count(*) FROM iceberg.demo.events WHERE ts >= TIMESTAMP '2024-01-02 00:00:00' AND ts < TIMESTAMP '2024-01-03 00:00:00'")) {
                result.next();
                assertThat(result.getLong(1)).isEqualTo(1);
                queryId = result.unwrap(io.trino.jdbc.TrinoResultSet.class).getQueryId();
            }
        }

        CapturedRows rows = new CapturedRows(captureUrl);
        Map<String, Object> query = rows.awaitQuery(queryId);
        assertThat(query).containsEntry("success", true).containsEntry("user_name", "icetune-test").containsEntry("files_scanned", 1L);
        // read across class loaders: the Iceberg plugin's connector info and metrics, through reflection and the SPI
        assertThat(rows.inputs(queryId)).singleElement().satisfies(input -> assertThat(input)
                .containsEntry("connector", "iceberg").containsEntry("total_data_files", 5L).containsEntry("files_scanned", 1L)
                .containsEntry("manifests_skipped", 4L).containsEntry("partition_fields", List.of("ts_day: day"))
                .containsEntry("constraint_columns", List.of("ts")));
        assertThat(Files.readString(server.log())).contains("icetune: capturing queries into").doesNotContain("s3cret");
        // the journal's default relative directory lies in Trino's node.data-dir, not in the process's working directory
        assertThat(server.dataDirectory().resolve("var/icetune-spool")).isDirectory();
        assertThat(temporary.resolve("server").resolve("var/icetune-spool")).doesNotExist();
    }

    @Test
    void anUnknownListenerPropertyFailsStartupNamingTheKey()
            throws Exception
    {
        Process bad = TrinoServerProcess.configure(TrinoServerProcess.assembledServer(), temporary.resolve("bad"), "icetune", catalogUrl,
                temporary.resolve("bad-warehouse"), Map.of("icetune.db.url", captureUrl, "icetune.batchsize", "10")).launch();
        try {
            assertThat(bad.waitFor(3, TimeUnit.MINUTES)).as("Trino stops on a bad listener configuration").isTrue();
            assertThat(bad.exitValue()).isNotZero();
            assertThat(Files.readString(temporary.resolve("bad").resolve("server.log"))).contains("Configuration property 'icetune.batchsize' was not used");
        }
        finally {
            bad.destroyForcibly();
        }
    }
}
