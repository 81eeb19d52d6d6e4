package dev.icetune.cli.command;

import dev.icetune.cli.TextTable;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;

@Command(name = "list", description = "Recommendations, most severe first.")
final class ListCommand
        extends ContextCommand
{
    @Option(names = "--status", paramLabel = "STATUS", description = "only this status: ${COMPLETION-CANDIDATES}", converter = StatusConverter.class,
            completionCandidates = StatusConverter.Candidates.class)
    Status status;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        List<RecommendationStore.Stored> all = context().store().list(Optional.ofNullable(status));
        if (json) {
            out().println(dev.icetune.cli.JsonOutput.write(all));
            return 0;
        }
        TextTable table = new TextTable(60, "ID", "STATUS", "SEVERITY", "LEVEL", "RULE", "TARGET", "LAST SEEN", "SEEN");
        all.forEach(each -> table.row(each.id(), each.status(), each.severity(), each.level(), each.ruleId(), each.target(), each.lastSeen(), each.timesSeen()));
        table.print(out());
        return 0;
    }
}
