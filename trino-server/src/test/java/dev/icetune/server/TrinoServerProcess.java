package dev.icetune.server;

import dev.icetune.listener.TestingPostgres;
import io.trino.jdbc.TrinoDriver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The assembled Trino server (system property icetune.server.dir) as a separate process: a minimal etc/
 * with an Iceberg JDBC catalog in PostgreSQL and a local warehouse, and the given event listener settings.
 */
public final class TrinoServerProcess
        implements AutoCloseable
{
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final Process process;
    private final int port;
    private final Path log;

    private TrinoServerProcess(Process process, int port, Path log)
    {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Writes etc/ under {@code directory}, starts Trino, and waits until it accepts queries. */
    public static TrinoServerProcess start(Path directory, String catalogUrl, Path warehouse, Map<String, String> listener)
            throws Exception
    {
        Path etc = etc(directory, catalogUrl, warehouse, listener);
        TrinoServerProcess server = new TrinoServerProcess(launch(etc.resolve("config.properties"), directory.resolve("server.log")),
                Integer.parseInt(port(etc)), directory.resolve("server.log"));
        server.awaitStarted();
        return server;
    }

    /** Writes etc/ and starts Trino without waiting: for a configuration that must fail. */
    public static Process launchOnly(Path directory, String catalogUrl, Path warehouse, Map<String, String> listener)
            throws IOException
    {
        Path etc = etc(directory, catalogUrl, warehouse, listener);
        return launch(etc.resolve("config.properties"), directory.resolve("server.log"));
    }

    /** Creates the Iceberg JDBC catalog's own tables, which Trino does not. */
    public static void prepareCatalog(String catalogUrl)
    {
        TestingPostgres.execute(catalogUrl,
                "CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, "
                        + "table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
                        + "iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))",
                "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, "
                        + "property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))");
    }

    public int port()
    {
        return port;
    }

    public String jdbcUrl()
    {
        return "jdbc:trino://127.0.0.1:" + port;
    }

    public Path log()
    {
        return log;
    }

    public Connection connect(String user)
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        return new TrinoDriver().connect(jdbcUrl(), properties);
    }

    private static Path etc(Path directory, String catalogUrl, Path warehouse, Map<String, String> listener)
            throws IOException
    {
        Path etc = Files.createDirectories(directory.resolve("etc"));
        Files.createDirectories(etc.resolve("catalog"));
        Files.createDirectories(warehouse);
        int port = TestingPostgres.freePort();
        Files.writeString(etc.resolve("config.properties"), lines(
                "node.environment=icetune",
                "node.id=icetune-" + port,
                "node.internal-address=127.0.0.1",
                "coordinator=true",
                "node-scheduler.include-coordinator=true",
                "http-server.http.port=" + port,
                "discovery.uri=http://127.0.0.1:" + port,
                "plugin.dir=" + Path.of(System.getProperty("icetune.server.dir")).resolve("plugin"),
                "catalog.config-dir=" + etc.resolve("catalog"),
                "event-listener.config-files=" + etc.resolve("event-listener.properties"),
                "query.max-memory=1GB",
                "query.max-memory-per-node=512MB"));
        Files.writeString(etc.resolve("catalog").resolve("iceberg.properties"), lines(
                "connector.name=iceberg",
                "iceberg.catalog.type=jdbc",
                "iceberg.jdbc-catalog.driver-class=org.postgresql.Driver",
                "iceberg.jdbc-catalog.connection-url=" + catalogUrl,
                "iceberg.jdbc-catalog.connection-user=postgres",
                "iceberg.jdbc-catalog.connection-password=",
                "iceberg.jdbc-catalog.catalog-name=icetune",
                "iceberg.jdbc-catalog.default-warehouse-dir=local:///",
                "fs.local.enabled=true",
                "local.location=" + warehouse));
        List<String> listenerLines = new ArrayList<>();
        listenerLines.add("event-listener.name=icetune");
        listener.forEach((key, value) -> listenerLines.add(key + "=" + value));
        Files.writeString(etc.resolve("event-listener.properties"), lines(listenerLines.toArray(String[]::new)));
        return etc;
    }

    private static String port(Path etc)
            throws IOException
    {
        return Files.readAllLines(etc.resolve("config.properties")).stream().filter(line -> line.startsWith("http-server.http.port="))
                .findFirst().orElseThrow().substring("http-server.http.port=".length());
    }

    private static Process launch(Path config, Path log)
            throws IOException
    {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("icetune.server.java"));
        command.addAll(List.of(System.getProperty("icetune.server.flags").trim().split("\\s+")));
        command.addAll(List.of("-Xmx2g", "-Dconfig=" + config, "-cp",
                Path.of(System.getProperty("icetune.server.dir")).resolve("lib") + "/*", TrinoServerLauncher.class.getName()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String lines(String... lines)
    {
        return String.join("\n", lines) + "\n";
    }

    private void awaitStarted()
            throws Exception
    {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Trino exited with " + process.exitValue() + ":\n" + tail());
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
        throw new IllegalStateException("Trino did not start within " + START_TIMEOUT + ":\n" + tail());
    }

    public String tail()
            throws IOException
    {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Stops Trino; its listener writes what is queued first (a clean shutdown). */
    @Override
    public void close()
            throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
