package dev.icetune.cli.command;

import dev.icetune.cli.Context;
import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.model.ApplyOrder;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.LayoutChange;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.fixes.FixApplier;
import dev.icetune.store.Failures;
import io.airlift.units.DataSize;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@Command(name = "apply", description = {"Apply an approved fix, or every approved one: the highest priority table first, each table's fixes in the order "
        + "they depend on each other (layout, then rewrites, statistics, cleanup, views).", "Iceberg metadata changes go through the Iceberg API, rewrites (newest "
        + "files first, in pieces of icetune.rewrite.piece-size) and statistics and views through Trino; every step is audited. --dry-run prints each step with "
        + "its size and changes nothing, and skips what apply would skip. A table changed by a fix whose effect is not measured yet is left alone (icetune.apply.cooldown), and so is a fix whose "
        + "condition did not hold at the last icetune.resolve-after evaluations; apply ID then exits 4, nothing changed."})
public final class ApplyCommand
        extends ContextCommand
{
    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which
    {
        @Parameters(index = "0", paramLabel = "ID", description = "recommendation id", converter = RecommendationIdConverter.class)
        Long id;

        @Option(names = "--all-approved", description = "every approved recommendation")
        boolean allApproved;
    }

    @Option(names = "--dry-run", description = "print each step with its size, change nothing; what apply would leave alone is said as skipped")
    boolean dryRun;

    @Option(names = "--by", paramLabel = "NAME", description = "who applies (required but for --dry-run, whose audit names the login user)")
    String by;

    @Option(names = "--max-rewrite-bytes", paramLabel = "SIZE", converter = DataSizeConverter.class,
            description = "rewrite at most this much (10GB, 500MB): fixes whose plan does not fit what is left are skipped")
    DataSize maxRewriteBytes;

    @Option(names = "--ignore-cooldown", description = "apply even to a table whose last fix has not been measured yet")
    boolean ignoreCooldown;

    @Option(names = "--ignore-unseen", description = "apply even a fix whose condition did not hold at the last icetune.resolve-after evaluations")
    boolean ignoreUnseen;

    @Option(names = "--json", description = "print what became of each fix as JSON, once all are done")
    boolean json;

    @Override
    public Integer call()
    {
        if (by == null && !dryRun) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--by=NAME': who applies (every change is audited; only --dry-run goes without)");
        }
        String actor = by != null ? by : System.getProperty("user.name");
        Context context = context();
        RecommendationStore store = context.store();
        List<RecommendationStore.Stored> chosen = which.allApproved ? byPriorityAndDependency(store.list(Optional.of(Status.APPROVED))) : List.of(store.find(which.id)
                .orElseThrow(() -> new IllegalArgumentException("no recommendation " + which.id + " (see: recommendations list)")));
        List<FixAttempt> attempts = new ArrayList<>();
        if (chosen.isEmpty()) {
            out().println(json ? JsonOutput.write(attempts) : "no approved recommendations to apply");
            return 0;
        }
        FixApplier applier = context.fixApplier("applying fixes");
        Instant run = Instant.now(); // fixes applied in this run are measured together, not cooled down for each other
        Duration cooldown = context.settings().engine().getApplyCooldown().toJavaTime();
        int resolveAfter = context.settings().engine().getResolveAfter();
        long budget = maxRewriteBytes == null ? Long.MAX_VALUE : maxRewriteBytes.toBytes();
        Map<Long, Long> rewriteLeftTo = new LinkedHashMap<>(which.allApproved ? rewritesLeftToTheLast(chosen) : Map.of());
        if (maxRewriteBytes != null) {
            // a rewrite that will not fit the budget is nobody's to wait for: each layout change then rewrites for itself
            List<Long> tooBig = rewriteLeftTo.values().stream().distinct().filter(last -> applier.plannedRewriteBytes(last) > maxRewriteBytes.toBytes()).toList();
            rewriteLeftTo.values().removeAll(tooBig);
        }
        for (RecommendationStore.Stored recommendation : chosen) {
            long id = recommendation.id();
            try {
                RecommendationStore.Stored current = store.find(id).orElseThrow();
                Status status = current.status();
                if (which.allApproved && status != Status.APPROVED) {
                    report(attempts, FixAttempt.skipped(id, status + " meanwhile")); // an earlier fix of this run superseded it
                    continue;
                }
                // said before a cooldown or the budget: approval is what it lacks, not time
                FixApplier.notApplicable(id, status, dryRun).ifPresent(reason -> {
                    throw new IllegalStateException(reason);
                });
                if (!ignoreUnseen && current.isApprovedButUnseen(resolveAfter)) {
                    report(attempts, FixAttempt.skipped(id, ("its condition did not hold at the last %d evaluations (last seen %s): fixed another way, or its "
                            + "queries stopped (--ignore-unseen to apply anyway)").formatted(current.missedEvaluations(), current.lastSeen().truncatedTo(ChronoUnit.SECONDS))));
                    continue;
                }
                Optional<String> cooling = ignoreCooldown || cooldown.isZero() ? Optional.empty() : applier.coolingDown(id, run, cooldown);
                if (cooling.isPresent()) {
                    report(attempts, FixAttempt.skipped(id, cooling.get() + " (--ignore-cooldown to apply anyway)"));
                    continue;
                }
                if (maxRewriteBytes != null && !rewriteLeftTo.containsKey(id)) {
                    long needs = applier.plannedRewriteBytes(id);
                    if (needs > budget) {
                        report(attempts, FixAttempt.skipped(id, "rewrites %s, more than the %s left of --max-rewrite-bytes".formatted(Estimate.bytes(needs), Estimate.bytes(budget))));
                        continue;
                    }
                }
                FixApplier.Outcome outcome = applier.apply(id, actor, dryRun, Optional.ofNullable(rewriteLeftTo.get(id)), this::progress);
                budget -= outcome.rewriteBytes(); // planned by a dry run: it skips what apply would, the budget's skips too
                report(attempts, FixAttempt.of(outcome));
            }
            catch (RuntimeException e) {
                err().println("icetune: #" + id + ": " + Failures.message(e));
                attempts.add(FixAttempt.failed(id, Failures.message(e)));
            }
        }
        if (json) {
            out().println(JsonOutput.write(attempts));
        }
        else if (maxRewriteBytes != null) {
            out().printf(dryRun ? "would rewrite %s of the %s allowed%n" : "rewrote %s of the %s allowed%n", Estimate.bytes(maxRewriteBytes.toBytes() - budget), Estimate.bytes(maxRewriteBytes.toBytes()));
        }
        if (attempts.stream().anyMatch(FixAttempt::failed)) {
            return IcetuneCli.FAILED;
        }
        // the one fix asked for by its id, left for later: a script must not take it for applied (--all-approved skips as a matter of course)
        return !which.allApproved && attempts.stream().anyMatch(FixAttempt::skipped) ? IcetuneCli.NOT_APPLIED : 0;
    }

    /** Each fix's outcome as it comes, for a person; all of them at the end for --json. */
    private void report(List<FixAttempt> attempts, FixAttempt attempt)
    {
        attempts.add(attempt);
        if (!json) {
            attempt.print(out());
        }
    }

    /** Tables by the highest priority among their fixes; a table's fixes in the order they depend on each other. */
    static List<RecommendationStore.Stored> byPriorityAndDependency(List<RecommendationStore.Stored> approved)
    {
        Map<String, List<RecommendationStore.Stored>> byTable = new LinkedHashMap<>();
        approved.stream()
                .sorted(Comparator.comparingDouble((RecommendationStore.Stored each) -> each.estimateOrUnknown().priority()).reversed())
                .forEach(each -> byTable.computeIfAbsent(each.fix().changedTable().orElse(each.target()), key -> new ArrayList<>()).add(each));
        return byTable.values().stream().flatMap(fixes -> ApplyOrder.sort(fixes, RecommendationStore.Stored::fix).stream()).toList();
    }

    /**
     * A table's layout changes of one run rewrite its files once, into the final layout: each one's rewrite is left to
     * the table's last layout change when that one rewrites at least the same files (all of them, or from an earlier instant).
     */
    static Map<Long, Long> rewritesLeftToTheLast(List<RecommendationStore.Stored> ordered)
    {
        Map<String, List<RecommendationStore.Stored>> layouts = new LinkedHashMap<>();
        for (RecommendationStore.Stored each : ordered) {
            if (each.fix() instanceof LayoutChange layout && layout.rewrite() != null) {
                layouts.computeIfAbsent(layout.table(), key -> new ArrayList<>()).add(each);
            }
        }
        Map<Long, Long> leftTo = new LinkedHashMap<>();
        for (List<RecommendationStore.Stored> changes : layouts.values()) {
            Rewrite last = ((LayoutChange) changes.getLast().fix()).rewrite();
            for (RecommendationStore.Stored earlier : changes.subList(0, changes.size() - 1)) {
                Rewrite own = ((LayoutChange) earlier.fix()).rewrite();
                if (last.from() == null || (own.from() != null && Instant.parse(last.from()).compareTo(Instant.parse(own.from())) <= 0)) {
                    leftTo.put(earlier.id(), changes.getLast().id());
                }
            }
        }
        return leftTo;
    }

    /** Sizes as the configuration writes them: 10GB, 500MB. */
    static final class DataSizeConverter
            implements ITypeConverter<DataSize>
    {
        @Override
        public DataSize convert(String value)
        {
            try {
                return DataSize.valueOf(value);
            }
            catch (IllegalArgumentException e) {
                throw new TypeConversionException("not a size: '" + value + "' (10GB, 500MB)");
            }
        }
    }
}
