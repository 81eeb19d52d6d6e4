package dev.icetune.cli.command;

import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "approve", description = "Approve an open recommendation (only identities in icetune.approvers).")
final class ApproveCommand
        extends DecisionCommand
{
    @Option(names = "--reason", paramLabel = "TEXT", description = "why (optional)")
    String reason;

    @Override
    RecommendationStore.Stored decide(RecommendationStore store)
    {
        return store.approve(id, by, reason);
    }
}
