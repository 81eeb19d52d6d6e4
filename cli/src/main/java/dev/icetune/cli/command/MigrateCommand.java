package dev.icetune.cli.command;

import dev.icetune.cli.JsonOutput;
import dev.icetune.store.InsertionTimeIndex;
import dev.icetune.store.SchemaMigrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "migrate", description = {"Apply pending schema migrations (for plugins and services run with icetune.db.migrate=false).",
        "Then build what a migration leaves to an hour the operator chooses: the index on query_logs.inserted_at of the days written "
                + "before version 8 that evaluations read (icetune.baseline), concurrently (the listener's writes go on); until then each "
                + "evaluation reads those days whole."})
public final class MigrateCommand
        extends ContextCommand
{
    @Option(names = "--json", description = "print JSON: the database, its schema version, the migrations applied and the partitions indexed")
    boolean json;

    @Override
    public Integer call()
    {
        SchemaMigrator.Outcome result = context().database().migrate();
        if (!json) {
            out().printf("schema of %s at version %s (%d migrations applied)%n", context().database().redactedUrl(), result.version(), result.applied());
        }
        // the days an evaluation reads: older ones would be read for nothing, until retention drops them
        int indexed = InsertionTimeIndex.complete(context().database(), context().settings().engine().baselineStart(Instant.now()), this::progress);
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("database", context().database().redactedUrl());
            document.put("version", result.version());
            document.put("applied", result.applied());
            document.put("indexed", indexed);
            out().println(JsonOutput.write(document));
        }
        else if (indexed > 0) {
            out().printf("inserted_at indexed on the partitions of query_logs written before version 8: %d%n", indexed);
        }
        return 0;
    }
}
