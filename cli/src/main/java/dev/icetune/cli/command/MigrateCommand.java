package dev.icetune.cli.command;

import dev.icetune.store.SchemaMigrator;
import picocli.CommandLine.Command;

@Command(name = "migrate", description = "Apply pending schema migrations (for plugins and services run with icetune.db.migrate=false).")
public final class MigrateCommand
        extends ContextCommand
{
    @Override
    public Integer call()
    {
        SchemaMigrator.Outcome result = context().database().migrate();
        out().printf("schema of %s at version %s (%d migrations applied)%n", context().database().redactedUrl(), result.version(), result.applied());
        return 0;
    }
}
