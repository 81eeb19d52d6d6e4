package dev.icetune.server;

import dev.icetune.listener.CapturedRows;
import dev.icetune.listener.TestingPostgres;
import io.trino.jdbc.TrinoDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaging test: the assembled Trino 483 server, started as a separate process with the listener
 * unpacked into plugin/icetune from its archive, queried over the client protocol (Trino JDBC). A class
 * loading or dependency mistake in the archive fails here, not at a user's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestRealTrinoServer
{
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    static Path temporary;

    private Process server;
    private int port;
    private String captureUrl;
    private Path log;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        captureUrl = postgres.createDatabase("server_capture");
        String catalogUrl = postgres.createDatabase("server_catalog");
        TestingPostgres.execute(catalogUrl,
                "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
                        + "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5), "
                        + "PRIMARY KEY (catalog_name, table_namespace, table_name))",
                "CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, "
                        + "property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))");
        port = TestingPostgres.freePort();
        Path etc = temporary.resolve("etc");
        Files.createDirectories(etc.resolve("catalog"));
        Path warehouse = Files.createDirectories(temporary.resolve("warehouse"));
        Files.writeString(etc.resolve("config.properties"), String.join("\n",
                "node.environment=test",
                "node.id=icetune-test",
                "node.internal-address=127.0.0.1",
                "coordinator=true",
                "node-scheduler.include-coordinator=true",
                "http-server.http.port=" + port,
                "discovery.uri=http://127.0.0.1:" + port,
                "plugin.dir=" + Path.of(System.getProperty("icetune.server.dir")).resolve("plugin"),
                "catalog.config-dir=" + etc.resolve("catalog"),
                "event-listener.config-files=" + etc.resolve("event-listener.properties"),
                "query.max-memory=1GB",
                "query.max-memory-per-node=512MB",
                "") + "\n");
        Files.writeString(etc.resolve("catalog").resolve("iceberg.properties"), String.join("\n",
                "connector.name=iceberg",
                "iceberg.catalog.type=jdbc",
                "iceberg.jdbc-catalog.driver-class=org.postgresql.Driver",
                "iceberg.jdbc-catalog.connection-url=" + catalogUrl,
                "iceberg.jdbc-catalog.connection-user=postgres",
                "iceberg.jdbc-catalog.connection-password=",
                "iceberg.jdbc-catalog.catalog-name=icetune",
                "iceberg.jdbc-catalog.default-warehouse-dir=local:///",
                "fs.local.enabled=true",
                "local.location=" + warehouse,
                "") + "\n");
        Files.writeString(etc.resolve("event-listener.properties"), String.join("\n",
                "event-listener.name=icetune",
                "icetune.db.url=" + captureUrl,
                "icetune.db.user=postgres",
                "icetune.db.password=not-a-real-s3cret", // the embedded server trusts local connections; the password must not show in the log
                "icetune.flush-interval=100ms",
                "icetune.spool.dir=" + temporary.resolve("spool"),
                "") + "\n");
        log = temporary.resolve("server.log");
        server = startServer(etc.resolve("config.properties"), log);
        awaitStarted();
    }

    @AfterAll
    void stop()
            throws Exception
    {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void queriesOverTheClientProtocolLandInQueryLogsWithTheirIcebergScans()
            throws Exception
    {
        String queryId;
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
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
        assertThat(Files.readString(log)).contains("icetune: capturing queries into").doesNotContain("s3cret");
    }

    @Test
    void anUnknownListenerPropertyFailsStartupNamingTheKey()
            throws Exception
    {
        Path etc = Files.createDirectories(temporary.resolve("bad-etc"));
        Files.createDirectories(etc.resolve("catalog"));
        Files.writeString(etc.resolve("event-listener.properties"), "event-listener.name=icetune\nicetune.db.url=" + captureUrl + "\nicetune.batchsize=10\n");
        int badPort = TestingPostgres.freePort();
        Files.writeString(etc.resolve("config.properties"), String.join("\n", "node.environment=test", "node.id=icetune-bad", "node.internal-address=127.0.0.1",
                "coordinator=true", "node-scheduler.include-coordinator=true", "http-server.http.port=" + badPort, "discovery.uri=http://127.0.0.1:" + badPort,
                "plugin.dir=" + Path.of(System.getProperty("icetune.server.dir")).resolve("plugin"), "catalog.config-dir=" + etc.resolve("catalog"),
                "event-listener.config-files=" + etc.resolve("event-listener.properties"), "") + "\n");
        Path badLog = temporary.resolve("bad-server.log");
        Process bad = startServer(etc.resolve("config.properties"), badLog);
        try {
            assertThat(bad.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).as("Trino stops on a bad listener configuration").isTrue();
            assertThat(bad.exitValue()).isNotZero();
            assertThat(Files.readString(badLog)).contains("unknown configuration properties: icetune.batchsize");
        }
        finally {
            bad.destroyForcibly();
        }
    }

    private static Process startServer(Path config, Path log)
            throws IOException
    {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("icetune.server.java"));
        command.addAll(List.of(System.getProperty("icetune.server.flags").trim().split("\\s+")));
        command.addAll(List.of("-Xmx2g", "-Dconfig=" + config, "-cp",
                Path.of(System.getProperty("icetune.server.dir")).resolve("lib") + "/*", TrinoServerLauncher.class.getName()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private Connection connect()
            throws Exception
    {
        Properties properties = new Properties();
        properties.setProperty("user", "icetune-test");
        return new TrinoDriver().connect("jdbc:trino://127.0.0.1:" + port, properties);
    }

    private void awaitStarted()
            throws Exception
    {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("Trino exited with " + server.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/info")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"starting\":false")) {
                    return;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Trino did not start within " + START_TIMEOUT + ":\n" + tail());
    }

    private String tail()
            throws IOException
    {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
