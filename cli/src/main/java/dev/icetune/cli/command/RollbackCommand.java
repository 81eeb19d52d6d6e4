package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.fixes.FixApplier;
import dev.icetune.fixes.FixAudit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = "Undo what an applied fix changed (partition spec, sort order, bloom filters, a view); says so where that is not possible.")
public final class RollbackCommand
        extends ContextCommand
{
    @Parameters(index = "0", paramLabel = "ID", description = "recommendation id", converter = RecommendationIdConverter.class)
    long id;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "who rolls back")
    String by;

    @Option(names = "--json", description = "print the outcome as JSON")
    boolean json;

    @Override
    public Integer call()
    {
        FixApplier.Outcome outcome = context().fixApplier("rolling back").rollback(id, by);
        FixAttempt attempt = FixAttempt.of(outcome);
        if (json) {
            out().println(JsonOutput.write(attempt));
        }
        else {
            attempt.print(out());
        }
        return outcome.result() == FixAudit.Result.ROLLED_BACK ? 0 : IcetuneCli.FAILED;
    }
}
