package dev.icetune.listener;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import java.util.Optional;

/**
 * Applies the versioned migrations of {@code sql/migrations} with Flyway. Flyway holds a PostgreSQL
 * advisory lock while it migrates, so several coordinators starting at once do not race.
 */
public final class SchemaMigrator
{
    public static final String LOCATION = "classpath:dev/icetune/sql/migrations";
    public static final String HISTORY_TABLE = "icetune_schema_history";

    private SchemaMigrator() {}

    public static MigrateResult migrate(String url, Optional<String> user, Optional<String> password)
    {
        ClassLoader classLoader = SchemaMigrator.class.getClassLoader();
        return Flyway.configure(classLoader)
                .dataSource(url, user.orElse(null), password.orElse(null))
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                // a database that already holds other tables is fine: our history starts at version 0
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }
}
