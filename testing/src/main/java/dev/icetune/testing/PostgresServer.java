package dev.icetune.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A PostgreSQL server process of a test's own, on a fixed port, that the test stops and starts from outside as an
 * operator would: a fast shutdown or an immediate one (a crash), started again on the same data,
 * or replaced by a fresh empty server behind the same URL. Commits are synchronous, as on a real server.
 */
public final class PostgresServer
        implements AutoCloseable
{
    public enum Stop
    {
        /** Disconnects clients, shuts down cleanly. */
        FAST,
        /** Quits at once, without a clean shutdown: the next start recovers from the WAL, as after a crash. */
        IMMEDIATE
    }

    private final int port;
    private Path dataDirectory;
    private EmbeddedPostgres postgres;

    private PostgresServer(int port, Path dataDirectory)
    {
        this.port = port;
        this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null");
    }

    /** A new server on a free port, its data in {@code dataDirectory}. */
    public static PostgresServer start(Path dataDirectory)
    {
        PostgresServer server = new PostgresServer(TestingPostgres.freePort(), dataDirectory);
        server.start();
        return server;
    }

    /** Starts the server on its data directory (creating the cluster when the directory is empty). */
    public void start()
    {
        if (postgres != null) {
            throw new IllegalStateException("already running");
        }
        try {
            postgres = TestingPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    // a crash must not lose what was acknowledged: the embedded default turns this off
                    .setServerConfig("synchronous_commit", "on")
                    .start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL on port " + port, e);
        }
    }

    public void stop(Stop mode)
    {
        if (postgres == null) {
            return;
        }
        if (mode == Stop.IMMEDIATE) {
            // SIGQUIT to the postmaster is PostgreSQL's immediate shutdown (pg_ctl stop -m immediate)
            ProcessHandle postmaster = postmaster();
            run(List.of("kill", "-QUIT", Long.toString(postmaster.pid())));
            postmaster.onExit().orTimeout(60, TimeUnit.SECONDS).join();
        }
        try {
            // a clean stop; after an immediate one it only finds the server gone and releases the data directory
            postgres.close();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        postgres = null;
    }

    private ProcessHandle postmaster()
    {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().trim());
            return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("PostgreSQL " + pid + " is not running"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * From now on, and after restarts, every user but postgres logs in with a password, as on a production server (the
     * embedded server trusts everyone, so a wrong password would go unnoticed). postgres stays trusted for the test's own steps.
     */
    public void requirePasswords()
    {
        authenticate("""
                local all all trust
                host all postgres 127.0.0.1/32 trust
                host all postgres ::1/128 trust
                host all all 127.0.0.1/32 scram-sha-256
                host all all ::1/128 scram-sha-256
                """);
    }

    /** From now on, every user but postgres connects over SSL alone (which this server does not offer), as cloud servers require it. */
    public void requireEncryption()
    {
        authenticate("""
                local all all trust
                host all postgres 127.0.0.1/32 trust
                host all postgres ::1/128 trust
                hostssl all all 127.0.0.1/32 trust
                hostssl all all ::1/128 trust
                """);
    }

    private void authenticate(String hostBasedAuthentication)
    {
        try {
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), hostBasedAuthentication);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestingPostgres.execute(url("postgres"), "SELECT pg_reload_conf()");
    }

    /** Stops this server and starts a new, empty one behind the same URL: a failover to a server without the schema. */
    public void replaceWithEmptyServer(Path newDataDirectory)
    {
        stop(Stop.FAST);
        dataDirectory = newDataDirectory;
        start();
    }

    public boolean isRunning()
    {
        return postgres != null;
    }

    public int port()
    {
        return port;
    }

    public String url(String database)
    {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close()
    {
        stop(Stop.FAST);
    }

    private static void run(List<String> command)
    {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
