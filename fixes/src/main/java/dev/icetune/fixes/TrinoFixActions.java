package dev.icetune.fixes;

import dev.icetune.engine.model.Analyze;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.Sql;
import dev.icetune.engine.model.TrinoStatements;
import dev.icetune.store.TableName;

import java.util.List;

/** The fixes Trino carries out: its statements, one step each. */
final class TrinoFixActions
{
    private TrinoFixActions() {}

    /** Trino's optimize over the small files of partitions that have several, newest first, in pieces. Rewritten files cannot be restored. */
    static final class CompactAction
            implements FixAction<Compact>
    {
        @Override
        public List<Step> plan(Compact fix, ActionContext context)
        {
            return RewritePlan.compaction(context, fix.table(), new Rewrite(fix.fileSizeThresholdBytes()));
        }
    }

    /** ANALYZE: statistics of the data as it is now. */
    static final class AnalyzeAction
            implements FixAction<Analyze>
    {
        @Override
        public List<Step> plan(Analyze fix, ActionContext context)
        {
            return List.of(context.trinoStep(fix.statements().getFirst(), "reads the whole table once"));
        }
    }

    /**
     * CREATE then REFRESH the view, its columns named as Trino names the query's; rolled back by dropping it. Its query is a
     * dashboard's text, whose unqualified names resolved in that session's schema: the session here is the table's it reads, as
     * most dashboards' sessions are (their own is not kept).
     */
    static final class MaterializedViewAction
            implements FixAction<MaterializedView>
    {
        @Override
        public List<Step> plan(MaterializedView fix, ActionContext context)
        {
            TableName session = TableName.parse(fix.table());
            return fix.statements(context.columnsOf(session, fix.query())).stream()
                    .map(statement -> context.trinoStepBeside(session, statement, "runs the view's query once")).toList();
        }

        @Override
        public List<Step> rollback(MaterializedView fix, ActionContext context, TableState before)
        {
            return List.of(context.trinoStep("DROP MATERIALIZED VIEW IF EXISTS " + Sql.table(fix.name()), "metadata only"));
        }
    }

    /** Statements as given, in order. */
    static final class StatementsAction
            implements FixAction<TrinoStatements>
    {
        @Override
        public List<Step> plan(TrinoStatements fix, ActionContext context)
        {
            return fix.statements().stream().map(statement -> context.trinoStep(statement, "cost unknown")).toList();
        }
    }
}
