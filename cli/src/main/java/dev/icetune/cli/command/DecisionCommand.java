package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * A person's decision on recommendations: who, and why. Only identities in icetune.approvers decide. Several ids are decided one by
 * one, as each alone would be (the three compactions of one ingest job, approved in one command): one that may not be decided is
 * said and leaves the others decided, and the command exits 1.
 */
abstract class DecisionCommand
        extends ContextCommand
{
    @Parameters(arity = "1..*", paramLabel = "ID", description = "recommendation id; several decide each in turn", converter = RecommendationIdConverter.class)
    List<Long> ids;

    @Option(names = "--by", required = true, paramLabel = "NAME", description = "who decides (one of icetune.approvers)")
    String by;

    @Option(names = "--json", description = "print the recommendation as decided, as recommendations list --json does (a list of those decided, for several ids)")
    boolean json;

    abstract RecommendationStore.Stored decide(RecommendationStore store, long id);

    @Override
    public Integer call()
    {
        try {
            context().approvals().checkMayDecide(by);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; see " + context().configFile(), e);
        }
        RecommendationStore store = context().store();
        List<RecommendationStore.Stored> decided = new ArrayList<>();
        boolean refused = false;
        for (long id : ids.stream().distinct().toList()) {
            try {
                RecommendationStore.Stored each = decide(store, id);
                decided.add(each);
                if (!json) {
                    out().printf("#%d %s on %s %s by %s%n", each.id(), each.ruleId(), each.label(), each.status() == Status.OPEN ? "reopened" : each.status(), by);
                }
            }
            catch (IllegalArgumentException | IllegalStateException e) {
                // not there, or not in a status this decision applies to: the others are decided all the same
                err().println("icetune: " + e.getMessage());
                refused = true;
            }
        }
        if (json && ids.size() == 1) {
            decided.forEach(each -> out().println(JsonOutput.write(each)));
        }
        else if (json) {
            out().println(JsonOutput.write(decided));
        }
        return refused ? IcetuneCli.FAILED : 0;
    }
}
