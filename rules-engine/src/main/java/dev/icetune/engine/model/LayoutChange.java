package dev.icetune.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A change of a table's layout (partition spec, sort order, bloom filters): it applies to files written from then
 * on, so it comes with the {@link Rewrite} of the existing files into it, or without one (null) when only new data
 * matters. Its statements are the layout statement, then the rewrite.
 */
public sealed interface LayoutChange
        extends Fix
        permits FieldsChange, SortOrder
{
    String table();

    /** The rewrite of the existing files, or null. */
    Rewrite rewrite();

    /** The Trino statement that makes the layout change itself. */
    String layoutStatement();

    @Override
    default Optional<String> changedTable()
    {
        return Optional.of(table());
    }

    @Override
    default List<String> statements()
    {
        List<String> statements = new ArrayList<>();
        statements.add(layoutStatement());
        if (rewrite() != null) {
            statements.add(rewrite().statement(table()));
        }
        return statements;
    }

    /** What {@code first} has that {@code second} has not, in order. */
    static List<String> without(List<String> first, List<String> second)
    {
        return first.stream().filter(element -> !second.contains(element)).toList();
    }

    /** {@code list} and then {@code element}. */
    static List<String> plus(List<String> list, String element)
    {
        List<String> longer = new ArrayList<>(list);
        longer.add(element);
        return longer;
    }
}
