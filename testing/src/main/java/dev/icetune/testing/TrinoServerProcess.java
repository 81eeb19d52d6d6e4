package dev.icetune.testing;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The assembled Trino 483 server (trino-server/target/trino-server: lib/, plugin/, etc/jvm.config) run as a
 * separate process, as an operator runs it: a node directory of its own with etc/ (an Iceberg JDBC catalog in
 * PostgreSQL, a local warehouse, the given event listener settings) and a data directory. It can be stopped
 * gracefully, killed, and started again on the same port and directories.
 */
public final class TrinoServerProcess
        implements AutoCloseable
{
    /** System property naming the assembled server directory (set by the build for tests and benchmarks). */
    public static final String SERVER_DIRECTORY_PROPERTY = "icetune.server.dir";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final String LAUNCHER = "dev.icetune.server.TrinoServerLauncher";

    private final Path serverDirectory;
    private final Path nodeDirectory;
    private final int port;
    /**
     * Stops the server when this JVM ends without closing it (Ctrl-C on the demo, a test run killed): a server left
     * behind holds gigabytes and its port.
     */
    private final Thread stopOnExit;
    private volatile Process process;

    private TrinoServerProcess(Path serverDirectory, Path nodeDirectory, int port)
    {
        this.serverDirectory = requireNonNull(serverDirectory, "serverDirectory is null");
        this.nodeDirectory = requireNonNull(nodeDirectory, "nodeDirectory is null");
        this.port = port;
        this.stopOnExit = new Thread(() -> {
            try {
                stop();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stop-trino-" + port);
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** The assembled server the build made, from {@value #SERVER_DIRECTORY_PROPERTY}. */
    public static Path assembledServer()
    {
        String directory = System.getProperty(SERVER_DIRECTORY_PROPERTY);
        if (directory == null || !Files.isDirectory(Path.of(directory, "lib"))) {
            throw new IllegalStateException("no assembled Trino server: set -D" + SERVER_DIRECTORY_PROPERTY + " to trino-server/target/trino-server (run ./mvnw install first)");
        }
        return Path.of(directory);
    }

    /** Writes the node's etc/ (listener properties in the given order) without starting it. */
    public static TrinoServerProcess configure(Path serverDirectory, Path nodeDirectory, String environment, String catalogUrl, Path warehouse,
            Map<String, String> listener)
            throws IOException
    {
        TrinoServerProcess server = new TrinoServerProcess(serverDirectory, nodeDirectory, TestingPostgres.freePort());
        server.writeEtc(environment, catalogUrl, warehouse, listener);
        return server;
    }

    /** Writes etc/ and starts a node of environment (cluster) {@code icetune}, waiting until it accepts queries. */
    public static TrinoServerProcess start(Path serverDirectory, Path nodeDirectory, String catalogUrl, Path warehouse, Map<String, String> listener)
            throws Exception
    {
        return configure(serverDirectory, nodeDirectory, "icetune", catalogUrl, warehouse, listener).start();
    }

    /** Starts the process and waits until Trino has started; fails with the end of its log when it exits instead. */
    public TrinoServerProcess start()
            throws Exception
    {
        launch();
        awaitStarted();
        return this;
    }

    /** Starts the process without waiting: for a configuration that must fail. */
    public Process launch()
            throws IOException
    {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the JVM flags the server's own etc/jvm.config names, as its etc/run uses them
        Files.readAllLines(serverDirectory.resolve("etc").resolve("jvm.config")).stream()
                .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(command::add);
        // node.data-dir as Trino's launcher passes it; started from the node directory, which is not the data directory:
        // relative paths must follow node.data-dir, not the working directory
        command.addAll(List.of("-Dnode.data-dir=" + dataDirectory(), "-Dconfig=" + etc().resolve("config.properties"),
                "-cp", serverDirectory.resolve("lib") + "/*", LAUNCHER));
        process = new ProcessBuilder(command).directory(nodeDirectory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        return process;
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
        return nodeDirectory.resolve("server.log");
    }

    public Path dataDirectory()
    {
        return nodeDirectory.resolve("data");
    }

    public Path etc()
    {
        return nodeDirectory.resolve("etc");
    }

    public Connection connect(String user)
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        return new TrinoDriver().connect(jdbcUrl(), properties);
    }

    private void writeEtc(String environment, String catalogUrl, Path warehouse, Map<String, String> listener)
            throws IOException
    {
        Path etc = Files.createDirectories(etc());
        Files.createDirectories(etc.resolve("catalog"));
        Files.createDirectories(warehouse);
        Files.createDirectories(dataDirectory());
        Files.writeString(etc.resolve("config.properties"), lines(
                "node.environment=" + environment,
                "node.id=" + environment + "-" + port,
                "node.internal-address=127.0.0.1",
                "coordinator=true",
                "node-scheduler.include-coordinator=true",
                "http-server.http.port=" + port,
                "discovery.uri=http://127.0.0.1:" + port,
                "plugin.dir=" + serverDirectory.resolve("plugin"),
                "catalog.config-dir=" + etc.resolve("catalog"),
                "event-listener.config-files=" + etc.resolve("event-listener.properties"),
                "query.max-memory=1GB",
                "query.max-memory-per-node=512MB"));
        List<String> catalog = new ArrayList<>(List.of("connector.name=iceberg"));
        LocalIcebergCatalog.trinoProperties(catalogUrl, warehouse).forEach((key, value) -> catalog.add(key + "=" + value));
        Files.writeString(etc.resolve("catalog").resolve("iceberg.properties"), lines(catalog.toArray(String[]::new)));
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("event-listener.name", "icetune");
        properties.putAll(listener);
        List<String> listenerLines = new ArrayList<>();
        properties.forEach((key, value) -> listenerLines.add(key + "=" + value));
        Files.writeString(etc.resolve("event-listener.properties"), lines(listenerLines.toArray(String[]::new)));
    }

    private static String lines(String... lines)
    {
        return String.join("\n", lines) + "\n";
    }

    private void awaitStarted()
            throws Exception
    {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Trino exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/info"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
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

    /** The last 60 lines of the server's log. */
    public String tail()
            throws IOException
    {
        if (!Files.exists(log())) {
            return "";
        }
        List<String> lines = Files.readAllLines(log());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** A graceful stop (SIGTERM), as a service manager does: Trino shuts its event listeners down first. */
    public void stop()
            throws InterruptedException
    {
        Process running = process;
        if (running == null) {
            return;
        }
        running.destroy();
        if (!running.waitFor(90, TimeUnit.SECONDS)) {
            running.destroyForcibly().waitFor();
        }
    }

    /** {@code kill -9}: nothing of the JVM runs after it. */
    public void kill()
            throws InterruptedException
    {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close()
            throws InterruptedException
    {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
        catch (IllegalStateException shuttingDown) {
            // closed by another hook: this one stops nothing more
        }
    }
}
