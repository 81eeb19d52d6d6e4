package dev.icetune.fixes;

import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.Analyze;
import dev.icetune.engine.model.BloomFilters;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.ExpireSnapshots;
import dev.icetune.engine.model.Fix;
import dev.icetune.engine.model.KillQueries;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.QueryRewrite;
import dev.icetune.engine.model.SortOrder;
import dev.icetune.engine.model.TrinoStatements;

import java.util.List;

/** The one place that maps each kind of fix to the action that carries it out. */
final class FixActions
{
    private final PartitionSpecAction partitionSpec = new PartitionSpecAction();
    private final SortOrderAction sortOrder = new SortOrderAction();
    private final BloomFiltersAction bloomFilters = new BloomFiltersAction();
    private final ExpireSnapshotsAction expireSnapshots = new ExpireSnapshotsAction();
    private final TrinoFixActions.CompactAction compact = new TrinoFixActions.CompactAction();
    private final TrinoFixActions.AnalyzeAction analyze = new TrinoFixActions.AnalyzeAction();
    private final TrinoFixActions.MaterializedViewAction materializedView = new TrinoFixActions.MaterializedViewAction();
    private final TrinoFixActions.StatementsAction statements = new TrinoFixActions.StatementsAction();

    List<Step> plan(Fix fix, ActionContext context)
    {
        return switch (fix) {
            case PartitionSpec each -> partitionSpec.plan(each, context);
            case SortOrder each -> sortOrder.plan(each, context);
            case BloomFilters each -> bloomFilters.plan(each, context);
            case ExpireSnapshots each -> expireSnapshots.plan(each, context);
            case Compact each -> compact.plan(each, context);
            case Analyze each -> analyze.plan(each, context);
            case MaterializedView each -> materializedView.plan(each, context);
            case TrinoStatements each -> statements.plan(each, context);
            case QueryRewrite each -> throw new IllegalStateException("a query rewrite is never applied to someone's SQL; deliver the rewritten query instead:\n" + each.sql());
            case KillQueries each -> throw new IllegalStateException("icetune ends no query: a person ends them once they have looked at them. " + each.render());
            case Advice each -> throw new IllegalStateException("advice for a person, not a change icetune can make: " + each.text());
        };
    }

    List<Step> rollback(Fix fix, ActionContext context, TableState before)
    {
        return switch (fix) {
            case PartitionSpec each -> partitionSpec.rollback(each, context, before);
            case SortOrder each -> sortOrder.rollback(each, context, before);
            case BloomFilters each -> bloomFilters.rollback(each, context, before);
            case ExpireSnapshots each -> expireSnapshots.rollback(each, context, before);
            case Compact each -> compact.rollback(each, context, before);
            case Analyze each -> analyze.rollback(each, context, before);
            case MaterializedView each -> materializedView.rollback(each, context, before);
            case TrinoStatements each -> statements.rollback(each, context, before);
            case QueryRewrite ignored -> throw new FixAction.RollbackNotPossible("a query rewrite was never applied");
            case KillQueries ignored -> throw new FixAction.RollbackNotPossible("ending queries was never applied");
            case Advice ignored -> throw new FixAction.RollbackNotPossible("advice was never applied");
        };
    }
}
