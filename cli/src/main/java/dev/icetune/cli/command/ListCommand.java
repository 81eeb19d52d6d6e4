package dev.icetune.cli.command;

import dev.icetune.cli.TextTable;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;

@Command(name = "list", description = {"Recommendations, the highest priority first: what each saves a day at the current workload, net of what it costs.",
        "PRIORITY is the scan work saved over estimate.horizon_days days less the one-time cost, in GB-equivalents."})
final class ListCommand
        extends ContextCommand
{
    @Option(names = "--status", paramLabel = "STATUS", description = "only this status: ${COMPLETION-CANDIDATES}", converter = StatusConverter.class,
            completionCandidates = StatusConverter.Candidates.class)
    Status status;

    @Option(names = "--cluster", paramLabel = "NAME", description = "only those of this Trino cluster: its patterns', and tables' it scanned")
    String cluster;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        List<RecommendationStore.Stored> all = context().store().list(Optional.ofNullable(status), Optional.ofNullable(cluster));
        if (json) {
            out().println(dev.icetune.cli.JsonOutput.write(all));
            return 0;
        }
        TextTable table = new TextTable(60, "ID", "STATUS", "PRIORITY", "SAVES A DAY", "SEVERITY", "LEVEL", "RULE", "TARGET", "CLUSTERS", "LAST SEEN");
        all.forEach(each -> table.row(each.id(), each.status(), each.estimate() == null ? "-" : "%.1f".formatted(each.estimate().priority()),
                each.estimateOrUnknown().saving(), each.severity(), each.level(), each.ruleId(), each.target(),
                each.clusters().isEmpty() ? "-" : String.join(",", each.clusters()), each.lastSeen()));
        table.print(out());
        return 0;
    }
}
