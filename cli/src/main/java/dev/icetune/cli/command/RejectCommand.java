package dev.icetune.cli.command;

import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reject", description = "Reject open or approved recommendations, one or several (only identities in icetune.approvers); a reason is required.")
final class RejectCommand
        extends DecisionCommand
{
    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why")
    String reason;

    @Override
    RecommendationStore.Stored decide(RecommendationStore store, long id)
    {
        return store.reject(id, by, reason);
    }
}
