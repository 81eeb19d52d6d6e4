package dev.icetune.plan;

/** How one conjunct of a filter compares its column. */
public enum PredicateKind
{
    /** {@code column = literal}, {@code column IN (...)} */
    EQUALITY,
    /** {@code <, <=, >, >=, BETWEEN} against a literal */
    RANGE,
    /** a function or cast around the column, e.g. {@code date_format(ts, ...) = '...'}: min/max and partitions cannot prune it */
    WRAPPED,
    /** {@code column LIKE pattern}; the predicate's literal is the pattern */
    LIKE,
    /** anything else on one column against a literal ({@code <>}) */
    OTHER
}
