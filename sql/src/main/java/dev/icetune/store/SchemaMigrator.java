package dev.icetune.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Applies the versioned migrations of {@code sql/migrations} with Flyway. Several coordinators may
 * start at once: Flyway's own lock does not cover creating its history table on a database that already
 * holds other tables (the baseline), so the whole migration runs under an advisory lock of ours.
 */
public final class SchemaMigrator
{
    static final String LOCATION = "classpath:dev/icetune/store/migrations";
    static final String HISTORY_TABLE = "icetune_schema_history";
    /** The newest migration in sql/migrations: a database at it needs no Flyway run (a test keeps the two in step). */
    static final String CURRENT_VERSION = "15";
    /** Arbitrary, fixed: the key of the advisory lock that serializes migrations. */
    private static final long MIGRATION_LOCK = 0x1CE7_0E00_0001L;
    /** SQL states of a table, column, function or schema not there. */
    private static final Set<String> UNDEFINED = Set.of("42P01", "42703", "42883", "3F000");

    private SchemaMigrator() {}

    /** What a migration found and did. */
    public record Outcome(String version, int applied) {}

    static Outcome migrate(Database database)
    {
        Connection lock;
        try {
            lock = database.open();
        }
        catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        try (lock; Statement statement = lock.createStatement()) {
            if (isCurrent(statement)) {
                return new Outcome(CURRENT_VERSION, 0); // nothing to do, and Flyway's start-up spared
            }
            statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                MigrateResult result = Flyway.configure(SchemaMigrator.class.getClassLoader())
                        .dataSource(new OpeningDataSource(database))
                        .locations(LOCATION)
                        .table(HISTORY_TABLE)
                        // a database that already holds other tables is fine: our history starts at version 0
                        .baselineOnMigrate(true)
                        .baselineVersion("0")
                        .load()
                        .migrate();
                return new Outcome(result.targetSchemaVersion == null ? CURRENT_VERSION : result.targetSchemaVersion, result.migrationsExecuted);
            }
            finally {
                statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
        catch (SQLException | RuntimeException e) {
            // what PostgreSQL said, its first line, not Flyway's report of many lines around it ("Run Flyway with -X option ...")
            SQLException refused = postgresFailure(e).map(failure -> {
                SQLException said = new SQLException(failure.getMessage().lines().findFirst().orElse(""), failure.getSQLState());
                said.addSuppressed(e);
                return said;
            }).orElse(null);
            throw new IllegalStateException("cannot migrate the schema of " + database.redactedUrl() + ": " + (refused == null ? e.getMessage() : refused.getMessage()),
                    refused == null ? e : refused);
        }
    }

    /**
     * Whether {@code exception} says a table, column, function or schema of ours is not there: the schema is not migrated (to this
     * version), or the server behind the URL is not the one migrated (a failover to a fresh server, a restored backup).
     */
    public static boolean isSchemaMissing(Throwable exception)
    {
        return postgresFailure(exception).map(failure -> UNDEFINED.contains(failure.getSQLState())).orElse(false);
    }

    private static Optional<SQLException> postgresFailure(Throwable exception)
    {
        for (Throwable each = exception; each != null; each = each.getCause()) {
            if (each instanceof SQLException failure && failure.getSQLState() != null && failure.getMessage() != null) {
                return Optional.of(failure);
            }
        }
        return Optional.empty();
    }

    /** Whether the database's schema is at this version (or later: another component upgraded it). */
    static boolean isCurrent(Database database)
    {
        try (Connection connection = database.open(); Statement statement = connection.createStatement()) {
            return isCurrent(statement);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static boolean isCurrent(Statement statement)
    {
        try (var result = statement.executeQuery("SELECT count(*) FROM " + HISTORY_TABLE + " WHERE version = '" + CURRENT_VERSION + "' AND success")) {
            return result.next() && result.getLong(1) > 0;
        }
        catch (SQLException e) {
            try {
                statement.getConnection().rollback();
            }
            catch (SQLException ignored) {
                // autocommit: nothing to roll back
            }
            return false; // no history table yet: a new database
        }
    }

    /** Flyway's connections come from {@link Database}, with its time-outs and application name. */
    private record OpeningDataSource(Database database)
            implements DataSource
    {
        @Override
        public Connection getConnection()
                throws SQLException
        {
            return database.open();
        }

        @Override
        public Connection getConnection(String username, String password)
        {
            throw new UnsupportedOperationException("credentials come from icetune.db.*");
        }

        @Override
        public PrintWriter getLogWriter()
        {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout()
        {
            return 0;
        }

        @Override
        public Logger getParentLogger()
                throws SQLFeatureNotSupportedException
        {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type)
                throws SQLException
        {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type)
        {
            return false;
        }
    }
}
