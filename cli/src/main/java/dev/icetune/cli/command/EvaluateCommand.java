package dev.icetune.cli.command;

import dev.icetune.cli.EvaluationService;
import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.cli.Meters;
import dev.icetune.cli.MetricsEndpoint;
import dev.icetune.cli.TextTable;
import dev.icetune.engine.Evaluator;
import dev.icetune.store.InsertionTimeIndex;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@Command(name = "evaluate", description = {"Read query_logs and Iceberg metadata, run the rules, record the recommendations, and measure applied fixes.",
        "With --service, every icetune.evaluate.interval until stopped: rule edits are picked up between runs, the table is printed when it changed, a failed run (database or Trino "
                + "away) is reported and tried again at the next interval, and Iceberg metadata it cannot read is said at each run.",
        "Without it, Iceberg metadata it cannot read (a catalog misconfigured or away, a table's files lost) and rules that threw are named "
                + "last and the command exits 1; the rest of the evaluation is recorded all the same."})
public final class EvaluateCommand
        extends ContextCommand
{
    @Option(names = "--service", description = "evaluate every icetune.evaluate.interval until stopped")
    boolean service;

    @Option(names = "--cluster", paramLabel = "NAME", description = "only the evidence of this Trino cluster (its recommendations alone may resolve)")
    String cluster;

    @Option(names = "--json", description = "print each evaluation as JSON (with --service, one line each: JSON Lines)")
    boolean json;

    /** The rows of the table a service printed last. */
    private List<List<Object>> printed;

    @Override
    public Integer call()
            throws Exception
    {
        int metricsPort = context().settings().engine().getMetricsPort();
        CompositeMeterRegistry meters = Meters.jmx();
        try (MetricsEndpoint endpoint = service && metricsPort > 0 ? new MetricsEndpoint(metricsPort) : null) {
            if (endpoint != null) {
                meters.add(endpoint.registry());
                progress("Prometheus metrics on http://0.0.0.0:" + endpoint.port() + "/metrics");
            }
            if (!service) {
                // by hand, a database that is down is said at once, not after the rules compiled (seconds); a service waits for it
                context().jdbi().useHandle(handle -> {});
            }
            adviseOnUnindexedDays();
            EvaluationService evaluations = new EvaluationService(context(), Optional.ofNullable(cluster), meters, problem -> err().println("icetune: " + problem));
            if (!service) {
                EvaluationService.Round round = evaluations.evaluateOnce(Instant.now(), this::progress);
                print(round);
                // each said, whichever else is (|, not ||)
                return unreadSaid(round.result().unread()) | failedRulesSaid(round.result().failedRules()) ? IcetuneCli.FAILED : 0;
            }
            try {
                evaluations.run(context().settings().engine().getEvaluateInterval().toJavaTime(), this::progress, this::print,
                        problem -> err().println("icetune: " + problem));
            }
            catch (InterruptedException stopped) {
                Thread.currentThread().interrupt(); // asked to stop: not a failure
            }
            return 0;
        }
        finally {
            meters.close();
        }
    }

    /**
     * A one-off evaluation that could not read some Iceberg metadata recorded the rest, yet a person or a cron job running it
     * must not take it for a clean run: said last, and exit 1. A service says it at each evaluation and goes on.
     */
    private boolean unreadSaid(List<String> unread)
    {
        if (unread.isEmpty()) {
            return false;
        }
        err().println(("icetune: could not read the Iceberg metadata of %s (why: above); the rest of the evaluation is recorded, and their "
                + "recommendations are kept as they were. Check the iceberg.catalog.* and iceberg.catalogs.NAME.* keys of %s, and that each "
                + "catalog's service and storage answer").formatted(String.join(", ", unread), context().configFile()));
        return true;
    }

    /** So must a rule that threw (one's own, being edited): its recommendations are kept as they were until it runs cleanly. */
    private boolean failedRulesSaid(List<String> rules)
    {
        if (rules.isEmpty()) {
            return false;
        }
        err().println(("icetune: rule%s %s threw (why: above); the rest of the evaluation is recorded, and %s recommendations are kept as they "
                + "were. Fix the rule in %s; bin/icetune rules test runs its scenarios").formatted(rules.size() == 1 ? "" : "s", String.join(", ", rules),
                rules.size() == 1 ? "its" : "their", context().settings().rulesDirectory()));
        return true;
    }

    /** Days written before version 8 without the inserted_at index cost every evaluation a read of them: say what builds it. */
    private void adviseOnUnindexedDays()
    {
        int unindexed;
        try {
            unindexed = InsertionTimeIndex.missing(context().database(), context().settings().engine().baselineStart(Instant.now()));
        }
        catch (RuntimeException e) {
            return; // the evaluation says what is wrong with the database
        }
        if (unindexed > 0) {
            progress(("partitions of query_logs written before version 8 without an inserted_at index: %d; each evaluation reads them whole to "
                    + "find late rows while they are in its baseline; bin/icetune migrate builds it without holding writes").formatted(unindexed));
        }
    }

    private void print(EvaluationService.Round round)
    {
        Evaluator.Result result = round.result();
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("evaluation", result.evaluationId());
            document.put("window_start", result.windowStart());
            document.put("window_end", result.windowEnd());
            document.put("facts", result.facts());
            document.put("fired", result.firedByRule());
            document.put("outcome", result.outcome());
            document.put("recommendations", result.recommendations());
            document.put("effects", round.effects());
            document.put("unread", result.unread());
            document.put("failed_rules", result.failedRules());
            // a service's evaluations are a stream: one line each
            out().println(service ? JsonOutput.line(document) : JsonOutput.write(document));
            return;
        }
        List<List<Object>> rows = result.recommendations().stream()
                .<List<Object>>map(recommendation -> List.of(recommendation.ruleId(), recommendation.label(),
                        recommendation.clusters().isEmpty() ? "-" : String.join(",", recommendation.clusters()), recommendation.severity(), recommendation.level(),
                        recommendation.fix().description()))
                .toList();
        // a service's journal gets the table when it changed, not the same one every interval (the summary line above says so)
        if (service && rows.equals(printed)) {
            return;
        }
        printed = rows;
        if (rows.isEmpty()) {
            out().println("(no recommendations)");
            return;
        }
        TextTable table = new TextTable(70, "RULE", "TARGET", "CLUSTERS", "SEVERITY", "LEVEL", "FIX");
        rows.forEach(row -> table.row(row.toArray()));
        table.print(out());
    }
}
