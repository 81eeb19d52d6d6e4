package dev.icetune.fixes;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.engine.model.Fix;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import org.apache.iceberg.Table;
import org.jdbi.v3.core.Jdbi;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Carries out approved fixes, one table at a time, and audits every attempt. A fix is planned as steps by
 * its {@link FixAction} against the table as it is now; a dry run shows them and changes nothing. Each step
 * is atomic (an Iceberg commit, a Trino statement): a step that fails changed nothing, and the outcome says
 * which steps ran before it.
 */
public final class FixApplier
{
    /** What an apply, dry run or rollback did (or would do). */
    public record Outcome(long recommendationId, FixAudit.Action action, FixAudit.Result result, String change, String message) {}

    private final Jdbi jdbi;
    private final RecommendationStore store;
    private final FixAudit audit;
    private final TableMetadataReader iceberg;
    private final Optional<TrinoConnections> trino;
    private final FixActions actions = new FixActions();

    public FixApplier(Jdbi jdbi, RecommendationStore store, TableMetadataReader iceberg, Optional<TrinoConnections> trino)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.store = requireNonNull(store, "store is null");
        this.audit = new FixAudit(jdbi);
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.trino = requireNonNull(trino, "trino is null");
    }

    public Outcome apply(long id, String actor, boolean dryRun)
    {
        RecommendationStore.Stored recommendation = find(id);
        Fix fix = recommendation.fix();
        String table = fix.changedTable().orElse(null);
        if (table == null) {
            actions.plan(fix, new ActionContext(Optional.empty(), trino)); // says why it is never applied
        }
        FixAudit.Action action = dryRun ? FixAudit.Action.DRY_RUN : FixAudit.Action.APPLY;
        if (!dryRun && recommendation.status().isApplied()) {
            return audited(recommendation, actor, action, FixAudit.Result.NO_OP, fix.render(), "already applied", Optional.empty(), Optional.empty());
        }
        if (!dryRun && recommendation.status() != Status.APPROVED) {
            throw new IllegalStateException("recommendation " + id + " is " + recommendation.status() + ": only an approved one can be applied");
        }
        return withTableLock(table, () -> {
            // a Trino statement may name a table of a catalog icetune does not read: then there is no state to record
            Optional<Table> loaded = iceberg.load(table);
            ActionContext context = new ActionContext(loaded, trino);
            Optional<TableState> before = loaded.map(TableState::of);
            List<Step> steps = actions.plan(fix, context);
            if (steps.isEmpty()) {
                if (!dryRun) {
                    store.transition(id, Status.APPROVED, Status.APPLIED, actor, "the change was already in effect");
                }
                return audited(recommendation, actor, action, FixAudit.Result.NO_OP, fix.render(), "already in effect", before, before);
            }
            String change = steps.stream().map(Step::description).collect(Collectors.joining(";\n"));
            String estimate = steps.stream().map(Step::estimate).collect(Collectors.joining("; "));
            if (dryRun) {
                return audited(recommendation, actor, action, FixAudit.Result.PLANNED, change, estimate + "; nothing changed", before, before);
            }
            for (int done = 0; done < steps.size(); done++) {
                try {
                    steps.get(done).run();
                }
                catch (RuntimeException e) {
                    String ran = done == 0 ? "nothing was changed" : "the first " + done + " of " + steps.size() + " steps were applied";
                    audited(recommendation, actor, action, FixAudit.Result.FAILED, change, ran + "; " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                            before, loaded.map(this::refreshed));
                    throw new IllegalStateException("applying recommendation " + id + " to " + table + " failed, " + ran + ": " + e.getMessage(), e);
                }
            }
            store.transition(id, Status.APPROVED, Status.APPLIED, actor, change);
            return audited(recommendation, actor, action, FixAudit.Result.APPLIED, change, estimate, before, loaded.map(this::refreshed));
        });
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
            TableState before = audit.stateBeforeLastApply(id).orElseThrow(() -> new IllegalStateException("no applied change of recommendation " + id + " in the audit"));
            List<Step> steps;
            try {
                steps = actions.rollback(fix, new ActionContext(loaded, trino), before);
            }
            catch (FixAction.RollbackNotPossible e) {
                return audited(recommendation, actor, FixAudit.Action.ROLLBACK, FixAudit.Result.NOT_POSSIBLE, fix.render(), e.getMessage(), current, current);
            }
            steps.forEach(Step::run);
            String change = steps.stream().map(Step::description).collect(Collectors.joining(";\n"));
            store.transition(id, recommendation.status(), Status.OPEN, actor, "rolled back: " + change);
            return audited(recommendation, actor, FixAudit.Action.ROLLBACK, FixAudit.Result.ROLLED_BACK, change, null, current, loaded.map(this::refreshed));
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
                handle.createQuery("SELECT pg_advisory_unlock(hashtext('icetune-fix:' || :table))").bind("table", table).mapTo(Boolean.class).one();
            }
        });
    }

    private Outcome audited(RecommendationStore.Stored recommendation, String actor, FixAudit.Action action, FixAudit.Result result, String change, String message,
            Optional<TableState> before, Optional<TableState> after)
    {
        audit.record(new FixAudit.Entry(recommendation.id(), actor, store.approvedBy(recommendation.id()), action, result, change, message, before, after));
        return new Outcome(recommendation.id(), action, result, change, message);
    }
}
