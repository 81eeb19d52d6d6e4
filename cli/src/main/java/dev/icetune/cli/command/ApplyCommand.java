package dev.icetune.cli.command;

import dev.icetune.cli.Context;
import dev.icetune.cli.IcetuneCli;
import dev.icetune.engine.model.ApplyOrder;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.fixes.FixApplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Optional;

@Command(name = "apply", description = {"Apply an approved fix, or every approved one in the order fixes depend on each other "
        + "(layout, then rewrites, statistics, cleanup, views).", "Iceberg metadata changes go through the Iceberg API, rewrites, statistics and views through Trino; "
        + "every attempt is audited. --dry-run prints exactly what would change and changes nothing."})
public final class ApplyCommand
        extends ContextCommand
{
    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which
    {
        @Parameters(index = "0", paramLabel = "ID", description = "recommendation id")
        Long id;

        @Option(names = "--all-approved", description = "every approved recommendation")
        boolean allApproved;
    }

    @Option(names = "--dry-run", description = "print exactly what would change, change nothing")
    boolean dryRun;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "who applies")
    String by;

    @Override
    public Integer call()
    {
        Context context = context();
        RecommendationStore store = context.store();
        List<Long> ids = which.allApproved
                ? ApplyOrder.sort(store.list(Optional.of(Status.APPROVED)), RecommendationStore.Stored::fix).stream().map(RecommendationStore.Stored::id).toList()
                : List.of(which.id);
        if (ids.isEmpty()) {
            out().println("no approved recommendations to apply");
            return 0;
        }
        FixApplier applier = new FixApplier(context.jdbi(), store, context.requireIceberg("applying fixes"), context.trino());
        int failed = 0;
        for (long id : ids) {
            try {
                FixApplier.Outcome outcome = applier.apply(id, by, dryRun);
                out().printf("#%d %s%s%n", id, outcome.result().value(), outcome.message() == null ? "" : " (" + outcome.message() + ")");
                outcome.change().lines().forEach(line -> out().println("    " + line));
            }
            catch (RuntimeException e) {
                failed++;
                err().println("icetune: #" + id + ": " + IcetuneCli.message(e));
            }
        }
        return failed == 0 ? 0 : IcetuneCli.FAILED;
    }
}
