package dev.icetune.engine.model;

import java.util.List;

/** A layout change from one list of fields or columns ({@code from}, the table's now) to another ({@code to}). */
public sealed interface FieldsChange
        extends LayoutChange
        permits PartitionSpec, BloomFilters
{
    List<String> from();

    List<String> to();

    /** In {@code to}, not in {@code from}. */
    default List<String> added()
    {
        return LayoutChange.without(to(), from());
    }

    /** In {@code from}, not in {@code to}. */
    default List<String> removed()
    {
        return LayoutChange.without(from(), to());
    }
}
