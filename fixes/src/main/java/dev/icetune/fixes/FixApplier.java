package dev.icetune.fixes;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.Fix;
import dev.icetune.engine.model.LayoutChange;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Failures;
import org.apache.iceberg.Table;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Carries out approved fixes, one table at a time, and audits every attempt and every step. A fix is planned as
 * steps by its {@link FixAction} against the table as it is now (a layout change, then the pieces of the rewrite
 * of the files it concerns); a dry run shows them with their sizes and changes nothing. Each step is atomic (an
 * Iceberg commit, a Trino statement): a step that fails changed nothing, the outcome says which steps ran before
 * it, and applying again plans only what is left. A rewrite that covered all of a table's files supersedes the
 * compactions still waiting for it.
 */
public final class FixApplier
{
    /** What an apply, dry run or rollback did (or would do); {@code rewriteBytes} what its rewrites read and wrote. */
    public record Outcome(long recommendationId, FixAudit.Action action, FixAudit.Result result, String change, String message, long rewriteBytes) {}

    private final Jdbi jdbi;
    private final RecommendationStore store;
    private final FixAudit audit;
    private final TableMetadataReader iceberg;
    private final Optional<TrinoConnections> trino;
    private final RewritePlan.Limits limits;
    private final FixActions actions = new FixActions();

    public FixApplier(Jdbi jdbi, RecommendationStore store, TableMetadataReader iceberg, Optional<TrinoConnections> trino)
    {
        this(jdbi, store, iceberg, trino, RewritePlan.Limits.DEFAULT.pieceBytes(), RewritePlan.Limits.DEFAULT.pieceFiles(), RewritePlan.Limits.DEFAULT.piecePartitions());
    }

    /** With rewrite pieces of at most {@code pieceBytes}, {@code pieceFiles} and {@code piecePartitions} each. */
    public FixApplier(Jdbi jdbi, RecommendationStore store, TableMetadataReader iceberg, Optional<TrinoConnections> trino, long pieceBytes, int pieceFiles,
            int piecePartitions)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.store = requireNonNull(store, "store is null");
        this.audit = new FixAudit(jdbi);
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.trino = requireNonNull(trino, "trino is null");
        this.limits = new RewritePlan.Limits(pieceBytes, pieceFiles, piecePartitions, RewritePlan.Limits.DEFAULT.commitAttempts(), RewritePlan.Limits.DEFAULT.firstRetryDelay());
    }

    /** The bytes applying the recommendation would rewrite now, from its plan (0 for a fix that rewrites nothing, or nothing any more). */
    public long plannedRewriteBytes(long id)
    {
        Fix fix = find(id).fix();
        Optional<String> table = fix.changedTable();
        if (table.isEmpty() || !fix.kind().isApplicable()) {
            return 0;
        }
        return actions.plan(fix, context(iceberg.load(table.get()), true)).stream().mapToLong(Step::rewriteBytes).sum();
    }

    /**
     * Why the table may not be changed again yet: a fix applied to it before {@code since} whose effect has not been
     * measured, unless it was applied longer than {@code cooldown} ago (a quiet table may never have the queries to judge it).
     */
    public Optional<String> coolingDown(long id, Instant since, java.time.Duration cooldown)
    {
        Optional<String> table = find(id).fix().changedTable();
        if (table.isEmpty()) {
            return Optional.empty();
        }
        for (RecommendationStore.Stored applied : store.list(Optional.of(Status.APPLIED))) {
            if (applied.id() == id || applied.measuredEffect() != null || !applied.fix().changedTable().equals(table)) {
                continue;
            }
            Optional<Instant> at = audit.lastApplied(applied.id());
            if (at.isPresent() && at.get().isBefore(since) && at.get().isAfter(Instant.now().minus(cooldown))) {
                return Optional.of("%s changed at %s by #%d (%s), whose effect is not measured yet".formatted(table.get(), at.get(), applied.id(), applied.ruleId()));
            }
        }
        return Optional.empty();
    }

    private ActionContext context(Optional<Table> table, boolean rewrites)
    {
        return new ActionContext(table, trino, limits, rewrites);
    }

    private ActionContext context(Optional<Table> table, boolean rewrites, Consumer<String> progress)
    {
        return new ActionContext(table, trino, limits, rewrites, progress);
    }

    public Outcome apply(long id, String actor, boolean dryRun)
    {
        return apply(id, actor, dryRun, Optional.empty());
    }

    /** Why recommendation {@code id}, in {@code status}, cannot be applied, if it cannot: only an approved one can (an applied one again is a no-op). */
    public static Optional<String> notApplicable(long id, Status status, boolean dryRun)
    {
        return dryRun || status == Status.APPROVED || status.isApplied() ? Optional.empty()
                : Optional.of("recommendation " + id + " is " + status + ": only an approved one can be applied");
    }

    /**
     * Applies (or plans) the fix; a layout change whose data another fix of the same run rewrites after it
     * ({@code rewriteLeftTo}) changes the layout only, so that the table's files are rewritten once, into the final layout.
     */
    public Outcome apply(long id, String actor, boolean dryRun, Optional<Long> rewriteLeftTo)
    {
        return apply(id, actor, dryRun, rewriteLeftTo, line -> {});
    }

    /**
     * As {@link #apply(long, String, boolean, Optional)}, saying each step as it starts: a rewrite takes minutes on a large table,
     * and a Trino that stops answering keeps its client retrying for two (met from outside: an apply silent for 2 minutes).
     */
    public Outcome apply(long id, String actor, boolean dryRun, Optional<Long> rewriteLeftTo, Consumer<String> progress)
    {
        RecommendationStore.Stored recommendation = find(id);
        Fix fix = recommendation.fix();
        String table = fix.changedTable().orElse(null);
        if (table == null) {
            actions.plan(fix, context(Optional.empty(), true)); // says why it is never applied
        }
        FixAudit.Action action = dryRun ? FixAudit.Action.DRY_RUN : FixAudit.Action.APPLY;
        if (!dryRun && recommendation.status().isApplied()) {
            return audited(recommendation, actor, action, FixAudit.Result.NO_OP, fix.render(), FixAudit.ALREADY_APPLIED, Optional.empty(), Optional.empty(), 0);
        }
        notApplicable(id, recommendation.status(), dryRun).ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        return withTableLock(table, () -> {
            // a Trino statement may name a table of a catalog icetune does not read: then there is no state to record
            Optional<Table> loaded = iceberg.load(table);
            ActionContext context = context(loaded, rewriteLeftTo.isEmpty(), line -> progress.accept("#%d %s".formatted(id, line)));
            Optional<TableState> before = loaded.map(TableState::of);
            List<Step> steps;
            try {
                steps = actions.plan(fix, context);
            }
            catch (ColumnsGone e) {
                throw new IllegalStateException(e.getMessage() + ": " + reopened(recommendation, actor, dryRun, e.getMessage()), e);
            }
            if (steps.isEmpty()) {
                if (!dryRun) {
                    store.transition(id, Status.APPROVED, Status.APPLIED, actor, "the change was already in effect");
                }
                return audited(recommendation, actor, action, FixAudit.Result.NO_OP, fix.render(), "already in effect: nothing to change", before, before, 0);
            }
            String change = steps.stream().map(Step::description).collect(Collectors.joining(";\n"));
            long rewriteBytes = steps.stream().mapToLong(Step::rewriteBytes).sum();
            String estimate = steps.size() + (steps.size() == 1 ? " step" : " steps") + (rewriteBytes > 0 ? ", rewriting " + Estimate.bytes(rewriteBytes) : "")
                    + rewriteLeftTo.map(other -> "; its data is rewritten by #" + other + ", after it").orElse("");
            if (dryRun) {
                String sizes = steps.stream().map(each -> each.description() + "  [" + each.estimate() + "]").collect(Collectors.joining(";\n"));
                return audited(recommendation, actor, action, FixAudit.Result.PLANNED, sizes, estimate + "; nothing changed", before, before, rewriteBytes);
            }
            for (int done = 0; done < steps.size(); done++) {
                Step step = steps.get(done);
                Optional<TableState> stepBefore = loaded.map(this::refreshed);
                progress.accept("#%d step %d of %d [%s]: %s".formatted(id, done + 1, steps.size(), step.estimate(), step.description()));
                try {
                    step.run();
                }
                catch (RuntimeException e) {
                    // a piece's halves commit one by one (RewritePlan): one may have before the other failed
                    String ran = e instanceof Step.PartlyApplied
                            ? (done == 0 ? "part of step 1 was" : "the first %d of %d steps and part of step %d were".formatted(done, steps.size(), done + 1))
                                    + " applied; applying again plans what is left"
                            : done == 0 ? "nothing was changed" : "the first " + done + " of " + steps.size() + " steps were applied; applying again plans what is left";
                    try {
                        audit.record(new FixAudit.Entry(id, actor, store.approvedBy(id), action, FixAudit.Result.FAILED, step.description(),
                                step.estimate() + "; " + e.getMessage(), stepBefore, loaded.map(this::refreshed), done + 1, steps.size()));
                        audited(recommendation, actor, action, FixAudit.Result.FAILED, change, ran + "; " + e.getMessage(), before, loaded.map(this::refreshed), 0);
                    }
                    catch (RuntimeException unrecorded) {
                        // PostgreSQL gone too (Trino's catalog may live in it): the step's failure is what to say
                        e.addSuppressed(unrecorded);
                    }
                    throw new IllegalStateException("applying recommendation " + id + " to " + table + " failed, " + ran + ": " + e.getMessage(), e);
                }
                int number = done + 1;
                recorded(number, steps.size(), () -> {
                    audit.record(new FixAudit.Entry(id, actor, store.approvedBy(id), action, FixAudit.Result.APPLIED, step.description(), step.estimate(),
                            stepBefore, loaded.map(this::refreshed), number, steps.size()));
                    return number;
                });
            }
            return recorded(steps.size(), steps.size(), () -> {
                store.transition(id, Status.APPROVED, Status.APPLIED, actor, change);
                supersedeCompactions(recommendation, fix, actor, loaded);
                return audited(recommendation, actor, action, FixAudit.Result.APPLIED, change, estimate, before, loaded.map(this::refreshed), rewriteBytes);
            });
        });
    }

    /**
     * Met from outside: PostgreSQL stopped during a rewrite, which Trino committed; recording it failed, and the failure said was
     * the table lock's release on the connection that had gone ("This connection has been closed"). What ran stays, and is said.
     */
    private static <T> T recorded(int ran, int steps, Supplier<T> record)
    {
        try {
            return record.get();
        }
        catch (RuntimeException e) {
            throw new IllegalStateException(("%d of %d steps ran and stay, but recording them failed: %s; apply it again once PostgreSQL answers: it finds what ran "
                    + "in effect, plans what is left, and records it").formatted(ran, steps, Failures.message(e)), e);
        }
    }

    /**
     * An approved fix whose columns are gone is opened again (a person approved a change of columns the table no longer has, and
     * a rejected one would stay rejected whatever its rule proposes next): the next evaluation gives it what its rule proposes
     * now, to approve anew. Says what became of it.
     */
    private String reopened(RecommendationStore.Stored recommendation, String actor, boolean dryRun, String why)
    {
        if (recommendation.status() != Status.APPROVED) {
            return "the next evaluation proposes what holds now";
        }
        if (dryRun) {
            return "applying it opens it again, and the next evaluation proposes what holds now, to approve anew";
        }
        store.transition(recommendation.id(), Status.APPROVED, Status.OPEN, actor, why);
        return "open again: the next evaluation proposes what holds now, to approve anew";
    }

    /**
     * The compactions waiting for a table that a fix just did: a layout change that rewrote all its files compacted them too, and a
     * compaction does what another rule's compaction of the table would (small-files and delete-file-buildup propose the same one).
     * A layout change that rewrote the files from a time on did so too when its rewrite left no compaction anything to do (met from
     * outside: every file of a table spanned every year, the partition fix rewrote them all, and small-files stayed approved).
     */
    private void supersedeCompactions(RecommendationStore.Stored applied, Fix fix, String actor, Optional<Table> table)
    {
        for (RecommendationStore.Stored other : store.list(Optional.empty())) {
            if (other.id() == applied.id() || !(other.fix() instanceof Compact waiting) || !waiting.changedTable().equals(fix.changedTable())
                    || !other.status().canBecome(Status.SUPERSEDED)) {
                continue;
            }
            String why = switch (fix) {
                case Compact compact when waiting.fileSizeThresholdBytes() <= compact.fileSizeThresholdBytes() -> "compacted " + compact.table();
                case LayoutChange layout when layout.rewrite() != null && layout.rewrite().from() == null -> "rewrote all files of " + layout.table();
                case LayoutChange layout when layout.rewrite() != null && nothingToDo(waiting, table) ->
                        "rewrote the files of %s from %s on, which left nothing to compact".formatted(layout.table(), layout.rewrite().from());
                default -> null;
            };
            if (why != null) {
                store.transition(other.id(), other.status(), Status.SUPERSEDED, actor, "#%d (%s) %s".formatted(applied.id(), applied.ruleId(), why));
            }
        }
    }

    private boolean nothingToDo(Compact compaction, Optional<Table> table)
    {
        try {
            return table.isPresent() && actions.plan(compaction, context(table, true)).isEmpty();
        }
        catch (RuntimeException e) {
            return false; // not known: it stays for a person to apply, whose plan says why
        }
    }

    /** Undoes what the last apply changed where that is possible, and says so where it is not. */
    public Outcome rollback(long id, String actor)
    {
        RecommendationStore.Stored recommendation = find(id);
        if (!recommendation.status().isApplied()) {
            throw new IllegalStateException("recommendation " + id + " is " + recommendation.status() + ": only an applied one can be rolled back");
        }
        Fix fix = recommendation.fix();
        String table = fix.changedTable().orElseThrow();
        return withTableLock(table, () -> {
            Optional<Table> loaded = iceberg.load(table);
            Optional<TableState> current = loaded.map(TableState::of);
            TableState before = audit.statesOfLastApply(id).map(Map.Entry::getKey).orElseThrow(() -> new IllegalStateException("no applied change of recommendation " + id + " in the audit"));
            List<Step> steps;
            try {
                if (before.uuid() != null && current.map(TableState::uuid).filter(uuid -> !uuid.equals(before.uuid())).isPresent()) {
                    // what the fix changed went with the table it changed: restoring its old layout would change another table
                    throw new FixAction.RollbackNotPossible(table + " was dropped and created again since the fix was applied: what the fix changed "
                            + "went with the dropped table, and this one's layout is not the fix's to undo");
                }
                steps = actions.rollback(fix, context(loaded, true), before);
            }
            catch (FixAction.RollbackNotPossible e) {
                return audited(recommendation, actor, FixAudit.Action.ROLLBACK, FixAudit.Result.NOT_POSSIBLE, fix.render(), e.getMessage(), current, current, 0);
            }
            steps.forEach(Step::run);
            String change = steps.stream().map(Step::description).collect(Collectors.joining(";\n"));
            store.transition(id, recommendation.status(), Status.OPEN, actor, "rolled back: " + change);
            // Iceberg keeps no older files to return to once a rewrite's snapshots expire, and a rewrite changed no row: it is
            // said, not undone
            String rewriteStays = fix instanceof LayoutChange layout && layout.rewrite() != null
                    ? "the rewrite is not undone: the files it wrote hold the same rows in the fix's layout, and what is written from now on takes the restored one"
                    : null;
            return audited(recommendation, actor, FixAudit.Action.ROLLBACK, FixAudit.Result.ROLLED_BACK, change, rewriteStays, current, loaded.map(this::refreshed), 0);
        });
    }

    private RecommendationStore.Stored find(long id)
    {
        return store.find(id).orElseThrow(() -> new IllegalArgumentException("no recommendation " + id));
    }

    private TableState refreshed(Table table)
    {
        table.refresh();
        return TableState.of(table);
    }

    /** One fix per table at a time, across processes: a PostgreSQL advisory lock on the table's name. */
    private Outcome withTableLock(String table, Supplier<Outcome> work)
    {
        return jdbi.withHandle(handle -> {
            boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(hashtext('icetune-fix:' || :table))").bind("table", table).mapTo(Boolean.class).one();
            if (!locked) {
                throw new IllegalStateException("another fix is being applied to " + table + "; try again when it is done");
            }
            try {
                return work.get();
            }
            finally {
                try {
                    handle.createQuery("SELECT pg_advisory_unlock(hashtext('icetune-fix:' || :table))").bind("table", table).mapTo(Boolean.class).one();
                }
                catch (RuntimeException gone) {
                    // the connection is gone, and the lock with it; what the work met is what to say
                }
            }
        });
    }

    private Outcome audited(RecommendationStore.Stored recommendation, String actor, FixAudit.Action action, FixAudit.Result result, String change, String message,
            Optional<TableState> before, Optional<TableState> after, long rewriteBytes)
    {
        audit.record(new FixAudit.Entry(recommendation.id(), actor, store.approvedBy(recommendation.id()), action, result, change, message, before, after, null, null));
        return new Outcome(recommendation.id(), action, result, change, message, rewriteBytes);
    }
}
