package dev.icetune.cli.command;

import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "approve", description = "Approve open recommendations, one or several (only identities in icetune.approvers).")
final class ApproveCommand
        extends DecisionCommand
{
    @Option(names = "--reason", paramLabel = "TEXT", description = "why (optional)")
    String reason;

    @Override
    RecommendationStore.Stored decide(RecommendationStore store, long id)
    {
        return store.approve(id, by, reason);
    }
}
