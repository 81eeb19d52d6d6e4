package dev.icetune.store;

import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.postgresql.Driver;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The one place that turns {@link StoreConfig} into PostgreSQL connections: user, password, the time-outs
 * that keep a dead or silent server from hanging the caller, and the application name by which an
 * operator finds (or terminates) our connections in {@code pg_stat_activity}. Settings in the URL win.
 */
public final class Database
{
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;\\s]*");

    private final String url;
    private final Properties properties;
    private final Optional<Path> passwordFile;
    private final boolean migrate;

    public Database(StoreConfig config, Path baseDirectory, String applicationName)
    {
        requireNonNull(config, "config is null");
        requireNonNull(baseDirectory, "baseDirectory is null");
        requireNonNull(applicationName, "applicationName is null");
        this.url = requireNonNull(config.getUrl(), StoreConfig.URL + " is required");
        this.migrate = config.isMigrate();
        this.properties = new Properties();
        long connectSeconds = Math.max(1, config.getConnectTimeout().roundTo(java.util.concurrent.TimeUnit.SECONDS));
        // connectTimeout bounds the TCP connect; loginTimeout the whole start-up, which a server that accepts and never answers stalls
        properties.setProperty("connectTimeout", String.valueOf(connectSeconds));
        properties.setProperty("loginTimeout", String.valueOf(connectSeconds));
        properties.setProperty("socketTimeout", String.valueOf(Math.max(1, config.getSocketTimeout().roundTo(java.util.concurrent.TimeUnit.SECONDS))));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", applicationName);
        config.getUser().ifPresent(user -> properties.setProperty("user", user));
        this.passwordFile = config.getPasswordFile().map(baseDirectory::resolve);
        // a password file is read at each connection (connectionProperties); read now too, so that one that cannot be read fails the configuration
        Optional<String> password = config.resolvePassword(baseDirectory);
        if (passwordFile.isEmpty()) {
            password.ifPresent(value -> properties.setProperty("password", value));
        }
    }

    /** A database given by URL and user alone, with every other setting at its default (tests, benchmarks, the demo). */
    public static Database of(String url, String user, String applicationName)
    {
        return new Database(new StoreConfig().setUrl(url).setUser(user), Path.of("").toAbsolutePath(), applicationName);
    }

    /**
     * A new connection; autocommit as the driver defaults. A failure says which server and which settings to check: the
     * driver's own text ("The connection attempt failed.") names neither, and a service reports it long after start-up.
     */
    public Connection open()
            throws SQLException
    {
        Connection connection;
        try {
            connection = new Driver().connect(url, connectionProperties());
        }
        catch (SQLException e) {
            throw new SQLException("cannot connect to PostgreSQL at %s (%s): %s".formatted(redactedUrl(), whatToCheck(e), e.getMessage()), e.getSQLState(), e.getErrorCode(), e);
        }
        if (connection == null) {
            throw new SQLException("not a PostgreSQL URL: " + redactedUrl());
        }
        return connection;
    }

    /** The keys to check for a connection refused, and what to add where that is plain from the refusal. */
    private String whatToCheck(SQLException refused)
    {
        String message = String.valueOf(refused.getMessage());
        // a server (a cloud's, often) that takes encrypted connections alone: "no pg_hba.conf entry for host ..., no encryption"
        if (message.matches("(?s).*(no encryption|SSL off).*")) {
            return "icetune.db.url: the server takes encrypted connections only, " + (url.contains("sslmode=") ? "set its sslmode=require"
                    : url.contains("?") ? "add &sslmode=require to its parameters" : "add ?sslmode=require to it");
        }
        // a database not created yet (a fresh server, or one of several a DBA hands over misspelt): say what creates it
        if ("3D000".equals(refused.getSQLState())) {
            String database = urlProperty("PGDBNAME").map(TableName::quoted).orElse("<database>");
            String user = Optional.ofNullable(properties.getProperty("user")).or(() -> urlProperty("user")).map(TableName::quoted).orElse("<icetune.db.user>");
            return "icetune.db.url: its database is not there; create it as a superuser: CREATE DATABASE %s OWNER %s, or name one that is".formatted(database, user);
        }
        // a host name that does not resolve: the driver says "The connection attempt failed.", the host only in a cause
        for (Throwable cause = refused.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return "icetune.db.url: unknown host %s; check its name, or this host's DNS".formatted(urlProperty("PGHOST").orElse(""));
            }
        }
        // a password refused (28P01), or none given where the server asks for one (the driver's 08004, "no password was provided")
        if (refused.getSQLState() != null && refused.getSQLState().startsWith("28") || message.contains("no password was provided")) {
            return "icetune.db.user, " + (passwordFile.isPresent() ? StoreConfig.PASSWORD_FILE : StoreConfig.PASSWORD);
        }
        return "icetune.db.url";
    }

    /** A property of the URL as the driver reads it: the database of its path, a user among its parameters. */
    private Optional<String> urlProperty(String key)
    {
        return Optional.ofNullable(Driver.parseURL(url, null)).map(parsed -> parsed.getProperty(key));
    }

    /**
     * The connection's properties, with the password file read again: a password rotated in its file (a mounted secret, then
     * the database's sessions ended by a restart) is taken at the next connection, without restarting Trino or the service.
     */
    private Properties connectionProperties()
            throws SQLException
    {
        if (passwordFile.isEmpty()) {
            return properties;
        }
        Properties withPassword = new Properties();
        withPassword.putAll(properties);
        try {
            StoreConfig.readPasswordFile(passwordFile.get()).ifPresent(password -> withPassword.setProperty("password", password));
        }
        catch (IllegalArgumentException e) {
            throw new SQLException("cannot connect to PostgreSQL at %s: %s".formatted(redactedUrl(), e.getMessage()), e);
        }
        return withPassword;
    }

    public Jdbi jdbi()
    {
        return jdbi(this::open);
    }

    /** Jdbi over {@code connections} (connections of a database, set up first), as {@link #jdbi()} is. */
    public static Jdbi jdbi(ConnectionFactory connections)
    {
        Jdbi jdbi = Jdbi.create(connections);
        // a failure says what PostgreSQL said, not the whole statement and its arguments (query texts, a wall of SQL in a terminal)
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        return jdbi;
    }

    /** Applies pending migrations when {@code icetune.db.migrate} is on; returns what it did. */
    public Optional<SchemaMigrator.Outcome> migrateIfEnabled()
    {
        return migrate ? Optional.of(migrate()) : Optional.empty();
    }

    /**
     * For the engine, which reads the tables of every version: applies pending migrations when {@code icetune.db.migrate} is on,
     * and otherwise fails saying what to run when some are pending, instead of failing later on a table or column not there
     * yet. (The listener writes tables every version has, and goes on writing into a schema migrated separately and later.)
     */
    public void requireCurrentSchema()
    {
        if (migrate) {
            migrate();
        }
        else if (!SchemaMigrator.isCurrent(this)) {
            throw new IllegalStateException(("the schema of %s is not at version %s, which this version of icetune reads, and icetune.db.migrate is false: "
                    + "run bin/icetune migrate").formatted(redactedUrl(), SchemaMigrator.CURRENT_VERSION));
        }
    }

    /** Applies pending migrations, whatever {@code icetune.db.migrate} says (the CLI's {@code migrate}). */
    public SchemaMigrator.Outcome migrate()
    {
        return SchemaMigrator.migrate(this);
    }

    public String url()
    {
        return url;
    }

    /** The URL without a password parameter: what logs and messages show. */
    public String redactedUrl()
    {
        return redacted(url);
    }

    /** {@code text} (a message, a URL in it) without the values of JDBC URLs' password parameters. */
    public static String redacted(String text)
    {
        return PASSWORD_PARAMETER.matcher(text).replaceAll("$1****");
    }

    @Override
    public String toString()
    {
        return "Database[" + redactedUrl() + ", user=" + properties.getProperty("user", "") + ", application=" + properties.getProperty("ApplicationName") + "]";
    }
}
