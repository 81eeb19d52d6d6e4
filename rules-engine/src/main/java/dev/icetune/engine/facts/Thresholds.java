package dev.icetune.engine.facts;

import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers the rules compare against, from {@code rules/thresholds.properties}: changed without
 * touching a DRL file. Asking for a name that is not there is an error, so a typo fails {@code rules test}.
 */
public record Thresholds(Map<String, Double> values)
{
    /** {@code min_net_saving_per_day.RULE}: a rule's own floor for the net saving a day, over {@code estimate.min_net_saving_per_day}. */
    public static final String NET_SAVING_PREFIX = "min_net_saving_per_day.";

    public Thresholds
    {
        values = Map.copyOf(values);
    }

    public double get(String name)
    {
        Double value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no threshold named '" + name + "' (known: " + new TreeMap<>(values).keySet() + ")");
        }
        return value;
    }

    /** A threshold that may be absent, such as a per-rule override of a default. */
    public java.util.Optional<Double> find(String name)
    {
        return java.util.Optional.ofNullable(values.get(name));
    }

    public long getLong(String name)
    {
        return (long) get(name);
    }

    public Thresholds with(Map<String, Double> overrides)
    {
        Map<String, Double> merged = new TreeMap<>(values);
        merged.putAll(overrides);
        return new Thresholds(merged);
    }
}
