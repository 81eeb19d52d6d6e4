package dev.icetune.engine.model;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The order in which fixes apply: by their kind's stage (layout, rewrite, statistics, cleanup, derived), so
 * that data is rewritten into a layout after the layout changed, statistics describe the rewritten data,
 * and so on; within a stage by kind (a partition spec before a sort order before bloom filters, so that data
 * rewritten sorted or with filters lands in the new partitions); then in the given order.
 * {@code apply --all-approved} and the demo use it alike.
 */
public final class ApplyOrder
{
    private ApplyOrder() {}

    public static <T> List<T> sort(List<T> items, Function<T, Fix> fix)
    {
        return items.stream().sorted(Comparator.comparing((T item) -> fix.apply(item).kind().stage()).thenComparing(item -> fix.apply(item).kind())).toList();
    }
}
