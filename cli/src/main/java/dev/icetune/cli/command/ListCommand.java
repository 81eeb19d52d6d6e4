package dev.icetune.cli.command;

import dev.icetune.cli.TextTable;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.TableName;
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

    @Option(names = "--rule", paramLabel = "RULE", description = "only this rule's, such as small-files")
    String rule;

    @Option(names = "--table", paramLabel = "TABLE", converter = TableNameConverter.class,
            description = "only those of this table (catalog.schema.table): on the table, on one of its columns, or on a query pattern whose evidence names it")
    TableName table;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        List<RecommendationStore.Stored> all = context().store().list(Optional.ofNullable(status), Optional.ofNullable(cluster)).stream()
                .filter(each -> rule == null || each.ruleId().equals(rule))
                .filter(each -> table == null || of(table.toString(), each))
                .toList();
        if (all.isEmpty() && cluster != null) {
            sayClustersThereAre();
        }
        if (all.isEmpty() && (rule != null || table != null)) {
            sayRuleOrTableThereIsNot(context().store().list(Optional.empty(), Optional.empty()));
        }
        if (json) {
            out().println(dev.icetune.cli.JsonOutput.write(all));
            return 0;
        }
        if (all.isEmpty()) {
            out().println(status == null && cluster == null && rule == null && table == null
                    ? "(no recommendations yet: icetune evaluate turns the queries the listener captured into some)"
                    : "(no recommendations)");
            return 0;
        }
        TextTable text = new TextTable(60, "ID", "STATUS", "PRIORITY", "SAVES A DAY", "SEVERITY", "LEVEL", "RULE", "TARGET", "CLUSTERS", "LAST SEEN");
        all.forEach(each -> text.row(each.id(), each.status(), each.estimate() == null ? "-" : "%.1f".formatted(each.estimate().priority()),
                each.estimateOrUnknown().saving(), each.severity(), each.level(), each.ruleId(), each.label(),
                each.clusters().isEmpty() ? "-" : String.join(",", each.clusters()), each.lastSeen()));
        text.print(out());
        return 0;
    }

    /** A misspelt --cluster finds nothing, as a healthy cluster would: on stderr, the clusters that have recommendations, when it is none of them. */
    private void sayClustersThereAre()
    {
        List<String> clusters = context().store().clusters();
        if (!clusters.contains(cluster)) {
            err().println("icetune: no recommendation of cluster %s; %s".formatted(cluster,
                    clusters.isEmpty() ? "none has any yet" : "clusters with recommendations: " + String.join(", ", clusters)));
        }
    }

    /**
     * A misspelt --rule or --table likewise, read from every recommendation of any status: a rule none has (with those that have
     * some), a table none names.
     */
    private void sayRuleOrTableThereIsNot(List<RecommendationStore.Stored> every)
    {
        List<String> rules = every.stream().map(RecommendationStore.Stored::ruleId).distinct().sorted().toList();
        if (rule != null && !rules.contains(rule)) {
            err().println("icetune: no recommendation of rule %s; %s".formatted(rule,
                    rules.isEmpty() ? "none has any yet" : "rules with recommendations: " + String.join(", ", rules)));
        }
        if (table != null && every.stream().noneMatch(each -> of(table.toString(), each))) {
            err().println("icetune: no recommendation of table %s (on it, a column of it, or a query pattern whose evidence names it)".formatted(table));
        }
    }

    /** A table's recommendation targets it, or a column of it ({@code table.column}), or names it in its evidence (a pattern's). */
    private static boolean of(String table, RecommendationStore.Stored recommendation)
    {
        return recommendation.target().equals(table) || recommendation.target().startsWith(table + ".") || table.equals(recommendation.evidence().get("table"));
    }
}
