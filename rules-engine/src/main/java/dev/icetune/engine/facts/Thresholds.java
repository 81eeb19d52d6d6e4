package dev.icetune.engine.facts;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The numbers the rules compare against, from {@code rules/thresholds.properties}: changed without
 * touching a DRL file. Asking for a name that is not there is an error, so a typo fails {@code rules test}.
 */
public record Thresholds(Map<String, Double> values)
{
    /**
     * The thresholds icetune's own code reads, beside those the rules read: the estimates, the effects' measurement, lint, the
     * evidence. A name in thresholds.properties that neither reads is a misspelling, or one no longer read.
     */
    public static final Set<String> ENGINE_KEYS = Set.of("cache.ttl_minutes", "cross_join.min_output_rows", "effect.min_change", "effect.min_queries",
            "estimate.bloom_bytes_per_value", "estimate.bloom_max_bytes", "estimate.bytes_per_second", "estimate.file_open_bytes", "estimate.horizon_days",
            "estimate.min_net_saving_per_day", "estimate.range_selectivity", "estimate.view_row_bytes", "layout.target_file_bytes", "like.min_table_bytes",
            "like.min_table_files", "lint.full_scan_min_files", "mv.refresh_interval_minutes", "regression.min_baseline_executions", "regression.p95_factor",
            "small_files.max_avg_file_bytes", "small_files.min_scans", "sort.min_rows", "sort.suggested_limit");
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
