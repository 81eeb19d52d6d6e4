package dev.icetune.cli.command;

import dev.icetune.store.InsertionTimeIndex;
import dev.icetune.store.SchemaMigrator;
import picocli.CommandLine.Command;

@Command(name = "migrate", description = {"Apply pending schema migrations (for plugins and services run with icetune.db.migrate=false).",
        "Then build what a migration leaves to an hour the operator chooses: the index on query_logs.inserted_at of the days written "
                + "before version 8, concurrently (the listener's writes go on); until then each evaluation reads those days."})
public final class MigrateCommand
        extends ContextCommand
{
    @Override
    public Integer call()
    {
        SchemaMigrator.Outcome result = context().database().migrate();
        out().printf("schema of %s at version %s (%d migrations applied)%n", context().database().redactedUrl(), result.version(), result.applied());
        int indexed = InsertionTimeIndex.complete(context().database(), this::progress);
        if (indexed > 0) {
            out().printf("inserted_at indexed on the partitions of query_logs written before version 8: %d%n", indexed);
        }
        return 0;
    }
}
