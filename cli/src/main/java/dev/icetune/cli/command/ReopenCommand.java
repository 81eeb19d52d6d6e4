package dev.icetune.cli.command;

import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reopen", description = {
        "Take back a decision: open again an approved recommendation (not applied yet) or a rejected one (only identities in icetune.approvers); a reason is required.",
        "The next evaluation that fires its rule gives it what the rule proposes then, to be approved or rejected anew. An applied fix is undone by rollback."})
final class ReopenCommand
        extends DecisionCommand
{
    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why")
    String reason;

    @Override
    RecommendationStore.Stored decide(RecommendationStore store, long id)
    {
        return store.reopen(id, by, reason);
    }
}
