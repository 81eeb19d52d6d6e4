package dev.icetune.cli.command;

import dev.icetune.cli.JsonOutput;
import dev.icetune.cli.TextTable;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.fixes.FixAudit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

@Command(name = "show", description = "One recommendation with its evidence, fix and history.")
final class ShowCommand
        extends ContextCommand
{
    @Parameters(index = "0", paramLabel = "ID", description = "recommendation id", converter = RecommendationIdConverter.class)
    long id;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        RecommendationStore store = context().store();
        RecommendationStore.Stored found = store.find(id).orElseThrow(() -> new IllegalArgumentException("no recommendation " + id + " (see: recommendations list)"));
        List<RecommendationStore.HistoryEntry> history = store.history(id);
        List<FixAudit.Attempt> attempts = new FixAudit(context().jdbi()).attempts(id);
        PrintStream out = out();
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("recommendation", found);
            document.put("history", history);
            document.put("audit", attempts);
            out.println(JsonOutput.write(document));
            return 0;
        }
        out.printf("#%d %s on %s %s: %s, %s, %s (%s)%n", found.id(), found.ruleId(), found.targetType().name().toLowerCase(java.util.Locale.ROOT), found.target(),
                found.status(), found.severity(), found.level(), found.level().meaning());
        if (!found.clusters().isEmpty()) {
            out.println((found.cluster() != null ? "Of cluster " : "From the scans of clusters ") + String.join(", ", found.clusters()));
        }
        out.println();
        out.println(found.explanation());
        out.println();
        if (found.proposedFix().equals(found.fix().description())) {
            out.println("Proposed fix: " + found.proposedFix()); // advice: its text is all there is
        }
        else {
            out.println("Proposed fix (" + found.fix().description() + "):");
            found.proposedFix().lines().forEach(line -> out.println("  " + line));
        }
        out.println();
        out.println("Estimate: " + found.estimateOrUnknown().sentence());
        out.println();
        Map<String, Object> measured = found.measuredEffect() == null ? Map.of() : found.measuredEffect();
        String row = "  %-" + Stream.concat(found.evidence().keySet().stream(), measured.keySet().stream()).mapToInt(String::length).max().orElse(0) + "s %s%n";
        out.println("Evidence:");
        found.evidence().forEach((name, value) -> out.printf(row, name, figure(value)));
        if (found.measuredEffect() != null) {
            out.println();
            out.println("Measured effect:");
            measured.forEach((name, value) -> out.printf(row, name, figure(value)));
        }
        else if (found.status() == Status.APPLIED) {
            out.println();
            Duration lookBack = context().settings().engine().getBaseline().toJavaTime();
            String sofar = context().effectMeasurer(context().thresholds()).waiting(found, Instant.now(), lookBack)
                    .map(waiting -> " Measured on %s: %,d of them ran in the %s before the fix, %,d since (applied %s).".formatted(waiting.scope(), waiting.before(),
                            lookBack.toHours() % 24 == 0 ? lookBack.toDays() + "d" : lookBack.toHours() + "h", waiting.since(), TextTable.text(waiting.appliedAt())))
                    .orElse("");
            out.println("Measured effect: none yet." + sofar + " Each evaluation measures it on its queries; a verdict needs effect.min_queries of them before "
                    + "and after the fix, and a change beyond effect.min_change and noise (rules/thresholds.properties).");
        }
        out.println();
        out.printf("First seen %s, last seen %s, %s.%n", TextTable.text(found.firstSeen()), TextTable.text(found.lastSeen()),
                found.timesSeen() == 1 ? "once" : found.timesSeen() + " times");
        int resolveAfter = context().settings().engine().getResolveAfter();
        if (found.isApprovedButUnseen(resolveAfter)) {
            out.printf("Not seen at the last %d evaluations: its condition no longer holds, and apply leaves it alone (--ignore-unseen to apply anyway).%n",
                    found.missedEvaluations());
        }
        out.println();
        // the one place a reason is read in full (what apply did, why it was rejected): only the list views cut cells
        TextTable table = new TextTable(Integer.MAX_VALUE, "AT", "FROM", "TO", "BY", "REASON");
        history.forEach(entry -> table.row(entry.at(), entry.fromStatus(), entry.toStatus(), entry.actor(), entry.reason()));
        table.print(out);
        if (!attempts.isEmpty()) {
            // each step on its own: met from outside, an apply Trino's restart cut after its first of three steps left the recommendation
            // approved, its history silent on the 300 files that step had rewritten
            out.println();
            out.println("Fix audit (fix_audit):");
            TextTable audit = new TextTable(Integer.MAX_VALUE, "AT", "ACTION", "RESULT", "STEP", "BY", "WHAT");
            // the newest dry run alone says what apply would do now: a fix dry-run twenty times showed twenty rows of it
            String dryRun = FixAudit.Action.DRY_RUN.value();
            List<FixAudit.Attempt> dryRuns = attempts.stream().filter(attempt -> attempt.action().equals(dryRun)).toList();
            attempts.stream().filter(attempt -> !attempt.action().equals(dryRun) || attempt == dryRuns.getLast())
                    .forEach(attempt -> audit.row(attempt.at(), attempt.action(), attempt.result(),
                            attempt.step() == null ? "" : attempt.step() + " of " + attempt.steps(), attempt.actor(),
                            attempt.step() == null ? attempt.message() : attempt.change() + (attempt.message() == null ? "" : ": " + attempt.message())));
            audit.print(out);
            if (dryRuns.size() > 1) {
                out.printf("(%d earlier dry runs not shown; --json lists every attempt)%n", dryRuns.size() - 1);
            }
        }
        return 0;
    }

    /** A figure as a person reads it: whole from 100 on (bytes, not 7.38753710618E8), else to three significant digits. */
    private static String figure(Object value)
    {
        if (value instanceof Double number && Double.isFinite(number)) {
            BigDecimal decimal = BigDecimal.valueOf(number);
            BigDecimal shown = Math.abs(number) >= 100 ? decimal.setScale(0, RoundingMode.HALF_UP) : decimal.round(new MathContext(3));
            return shown.signum() == 0 ? "0" : shown.stripTrailingZeros().toPlainString();
        }
        return TextTable.text(value);
    }
}
