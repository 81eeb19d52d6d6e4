package dev.icetune.cli.command;

import dev.icetune.cli.TextTable;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

@Command(name = "list", description = {"Recommendations, the highest priority first: what each saves a day at the current workload, net of what it costs.",
        "PRIORITY is the scan work saved over estimate.horizon_days days less the one-time cost, in GB-equivalents.",
        "The table shows, without --status or --all, those still in hand: open, approved, applied (being measured) and regressed, and ends with how many "
                + "others there are. --json prints every one the options select, whatever its status, for a script to filter."})
final class ListCommand
        extends ContextCommand
{
    @Option(names = "--status", paramLabel = "STATUS", description = "only this status: ${COMPLETION-CANDIDATES}", converter = StatusConverter.class,
            completionCandidates = StatusConverter.Candidates.class)
    Status status;

    @Option(names = "--all", description = "every status in the table: resolved, verified, rejected and superseded too (as --json always has)")
    boolean all;

    @Option(names = "--cluster", paramLabel = "NAME", description = "only those of this Trino cluster: its patterns', and tables' it scanned")
    String cluster;

    @Option(names = "--rule", paramLabel = "RULE", description = "only this rule's, such as small-files")
    String rule;

    @Option(names = "--table", paramLabel = "TABLE", converter = TableNameConverter.class,
            description = "only those of this table (catalog.schema.table): on the table, on one of its columns, or on a query pattern whose evidence names it")
    TableName table;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    /**
     * What a person still has to decide, or to watch: after weeks of a service, the resolved, verified and superseded outnumber
     * them and sorted first by their priority (met from outside: 45 resolved among 76). A script reads them all, as before.
     */
    private static final Set<Status> IN_HAND = EnumSet.of(Status.OPEN, Status.APPROVED, Status.APPLIED, Status.REGRESSED);

    @Override
    public Integer call()
    {
        if (all && status != null) {
            throw new ParameterException(spec.commandLine(), "--all and --status: one or the other");
        }
        List<RecommendationStore.Stored> found = context().store().list(Optional.ofNullable(status), Optional.ofNullable(cluster)).stream()
                .filter(each -> rule == null || each.ruleId().equals(rule))
                .filter(each -> table == null || of(table.toString(), each))
                .toList();
        if (found.isEmpty() && cluster != null) {
            sayClustersThereAre();
        }
        if (found.isEmpty() && (rule != null || table != null)) {
            sayRuleOrTableThereIsNot(context().store().list(Optional.empty(), Optional.empty()));
        }
        if (json) {
            out().println(dev.icetune.cli.JsonOutput.write(found));
            return 0;
        }
        if (found.isEmpty()) {
            out().println(status == null && cluster == null && rule == null && table == null
                    ? "(no recommendations yet: icetune evaluate turns the queries the listener captured into some)"
                    : "(no recommendations)");
            return 0;
        }
        Map<Boolean, List<RecommendationStore.Stored>> inHand = found.stream()
                .collect(Collectors.partitioningBy(each -> all || status != null || IN_HAND.contains(each.status())));
        List<RecommendationStore.Stored> shown = inHand.get(true);
        String others = othersNotShown(inHand.get(false));
        if (shown.isEmpty()) {
            out().println("(none open, approved, applied or regressed; not shown: %s)".formatted(others));
            return 0;
        }
        // approved, but apply leaves it alone: met from outside, three approved compactions skipped by every apply --all-approved
        // looked in the list like the ones it applies
        int resolveAfter = context().settings().engine().getResolveAfter();
        TextTable text = new TextTable(60, "ID", "STATUS", "PRIORITY", "SAVES A DAY", "SEVERITY", "LEVEL", "RULE", "TARGET", "CLUSTERS", "LAST SEEN");
        shown.forEach(each -> text.row(each.id(), each.isApprovedButUnseen(resolveAfter) ? each.status() + "*" : each.status(),
                each.estimate() == null ? "-" : "%.1f".formatted(each.estimate().priority()),
                each.estimateOrUnknown().saving(), each.severity(), each.level(), each.ruleId(), each.label(),
                each.clusters().isEmpty() ? "-" : String.join(",", each.clusters()), each.lastSeen()));
        text.print(out());
        if (shown.stream().anyMatch(each -> each.isApprovedButUnseen(resolveAfter))) {
            out().println("(* its condition has not held at the last %d evaluations or more: apply leaves it alone; --ignore-unseen applies it anyway)"
                    .formatted(resolveAfter));
        }
        if (!others.isEmpty()) {
            out().println("(not shown: %s)".formatted(others));
        }
        return 0;
    }

    /** {@code 11 verified, 45 resolved; --all lists them}, in the order of {@link Status}; empty for none. */
    private static String othersNotShown(List<RecommendationStore.Stored> others)
    {
        if (others.isEmpty()) {
            return "";
        }
        Map<Status, Long> counts = others.stream().collect(Collectors.groupingBy(RecommendationStore.Stored::status, () -> new EnumMap<>(Status.class), Collectors.counting()));
        return counts.entrySet().stream().map(each -> each.getValue() + " " + each.getKey().value()).collect(Collectors.joining(", ")) + "; --all lists them";
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
