package dev.icetune.cli.command;

import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A person's decision on a recommendation: who, and why. Only identities in icetune.approvers decide. */
abstract class DecisionCommand
        extends ContextCommand
{
    @Parameters(index = "0", paramLabel = "ID", description = "recommendation id", converter = RecommendationIdConverter.class)
    long id;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "who decides (one of icetune.approvers)")
    String by;

    @Option(names = "--json", description = "print the recommendation as decided, as recommendations list --json does")
    boolean json;

    abstract RecommendationStore.Stored decide(RecommendationStore store);

    @Override
    public Integer call()
    {
        RecommendationStore.Stored decided = decide(context().store());
        if (json) {
            out().println(JsonOutput.write(decided));
            return 0;
        }
        out().printf("#%d %s on %s %s by %s%n", decided.id(), decided.ruleId(), decided.label(), decided.status() == Status.OPEN ? "reopened" : decided.status(), by);
        return 0;
    }
}
