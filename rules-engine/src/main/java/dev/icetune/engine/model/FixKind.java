package dev.icetune.engine.model;

/**
 * The identity of a fix: who carries it out, and when it goes relative to the others. Fixes apply in the
 * order of their {@link Stage}: a table's layout (spec, sort order, bloom filters) changes before the data
 * is rewritten into it, statistics are taken of the rewritten data, old snapshots are expired once nothing
 * needs them, and derived objects (materialized views) are built last, over the fixed table.
 */
public enum FixKind
{
    PARTITION_SPEC(Executor.ICEBERG, Stage.LAYOUT),
    SORT_ORDER(Executor.ICEBERG, Stage.LAYOUT),
    BLOOM_FILTERS(Executor.ICEBERG, Stage.LAYOUT),
    COMPACT(Executor.TRINO, Stage.REWRITE),
    TRINO_STATEMENTS(Executor.TRINO, Stage.REWRITE),
    ANALYZE(Executor.TRINO, Stage.STATISTICS),
    EXPIRE_SNAPSHOTS(Executor.ICEBERG, Stage.CLEANUP),
    MATERIALIZED_VIEW(Executor.TRINO, Stage.DERIVED),
    QUERY_REWRITE(Executor.PERSON, Stage.DERIVED),
    KILL_QUERIES(Executor.PERSON, Stage.DERIVED),
    ADVICE(Executor.PERSON, Stage.DERIVED);

    /** Who carries the fix out. A person's fixes (query rewrites, queries to end, advice) are delivered, never applied. */
    public enum Executor
    {
        ICEBERG, TRINO, PERSON
    }

    /** When a fix applies relative to others; the constants are in that order. */
    public enum Stage
    {
        LAYOUT, REWRITE, STATISTICS, CLEANUP, DERIVED
    }

    private final Executor executor;
    private final Stage stage;

    FixKind(Executor executor, Stage stage)
    {
        this.executor = executor;
        this.stage = stage;
    }

    public Executor executor()
    {
        return executor;
    }

    public Stage stage()
    {
        return stage;
    }

    /** icetune can apply it (a person's fixes are delivered instead). */
    public boolean isApplicable()
    {
        return executor != Executor.PERSON;
    }
}
