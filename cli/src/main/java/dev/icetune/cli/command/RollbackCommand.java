package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.fixes.FixApplier;
import dev.icetune.fixes.FixAudit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = "Undo what an applied fix changed (partition spec, sort order, bloom filters, a view); says so where that is not possible.")
public final class RollbackCommand
        extends ContextCommand
{
    @Parameters(index = "0", paramLabel = "ID", description = "recommendation id")
    long id;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "who rolls back")
    String by;

    @Override
    public Integer call()
    {
        FixApplier.Outcome outcome = context().fixApplier("rolling back").rollback(id, by);
        out().printf("#%d %s%s%n", id, outcome.result().value(), outcome.message() == null ? "" : " (" + outcome.message() + ")");
        outcome.change().lines().forEach(line -> out().println("    " + line));
        return outcome.result() == FixAudit.Result.ROLLED_BACK ? 0 : IcetuneCli.FAILED;
    }
}
