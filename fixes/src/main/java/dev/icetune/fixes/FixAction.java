package dev.icetune.fixes;

import dev.icetune.engine.model.Fix;

import java.util.List;

/**
 * How one kind of fix is carried out: planned as steps against the table as it is now, and undone where that
 * is possible. One implementation per kind, each small; {@link FixActions} picks it.
 */
interface FixAction<F extends Fix>
{
    /** The steps that make the change, in order; none when the change is already in effect. */
    List<Step> plan(F fix, ActionContext context);

    /** The steps that undo the change, given the table's state before it; throws {@link RollbackNotPossible} saying why when it cannot be undone. */
    default List<Step> rollback(F fix, ActionContext context, TableState before)
    {
        throw new RollbackNotPossible("expired snapshots, rewritten files and collected statistics cannot be restored by icetune");
    }

    final class RollbackNotPossible
            extends RuntimeException
    {
        RollbackNotPossible(String message)
        {
            super(message);
        }
    }
}
