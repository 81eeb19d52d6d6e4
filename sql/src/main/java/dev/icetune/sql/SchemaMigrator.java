package dev.icetune.sql;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;

/**
 * Applies the versioned migrations of {@code sql/migrations} with Flyway. Several coordinators may
 * start at once: Flyway's own lock does not cover creating its history table on a database that already
 * holds other tables (the baseline), so the whole migration runs under an advisory lock of ours.
 */
public final class SchemaMigrator
{
    public static final String LOCATION = "classpath:dev/icetune/sql/migrations";
    public static final String HISTORY_TABLE = "icetune_schema_history";
    /** Arbitrary, fixed: the key of the advisory lock that serializes migrations. */
    private static final long MIGRATION_LOCK = 0x1CE7_0E00_0001L;

    private SchemaMigrator() {}

    public static MigrateResult migrate(String url, Optional<String> user, Optional<String> password)
    {
        Properties properties = new Properties();
        user.ifPresent(value -> properties.setProperty("user", value));
        password.ifPresent(value -> properties.setProperty("password", value));
        try (Connection lock = new org.postgresql.Driver().connect(url, properties);
                Statement statement = lock.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                return Flyway.configure(SchemaMigrator.class.getClassLoader())
                        .dataSource(url, user.orElse(null), password.orElse(null))
                        .locations(LOCATION)
                        .table(HISTORY_TABLE)
                        // a database that already holds other tables is fine: our history starts at version 0
                        .baselineOnMigrate(true)
                        .baselineVersion("0")
                        .load()
                        .migrate();
            }
            finally {
                statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("icetune: cannot migrate the schema: " + e.getMessage(), e);
        }
    }
}
