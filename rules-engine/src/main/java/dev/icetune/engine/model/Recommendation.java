package dev.icetune.engine.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What a rule concludes: the runbook step to take on a table or a query pattern, why (the evidence figures
 * and an explanation), and the {@link Fix}; then, valued by the evaluation, its {@link Estimate} (null until
 * then). A pattern's recommendation belongs to the {@code cluster} that ran the pattern; a table's sums the scans of
 * every cluster and lists them in {@code clusters}. Rule id, target and cluster are its identity across evaluations.
 */
public record Recommendation(
        String ruleId,
        TargetType targetType,
        String target,
        Severity severity,
        Level level,
        Map<String, Object> evidence,
        String explanation,
        Fix fix,
        Estimate estimate,
        String cluster,
        List<String> clusters)
{
    public Recommendation
    {
        requireNonNull(ruleId, "ruleId is null");
        requireNonNull(targetType, "targetType is null");
        requireNonNull(target, "target is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(level, "level is null");
        requireNonNull(explanation, "explanation is null");
        requireNonNull(fix, "fix is null");
        evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        clusters = cluster != null && (clusters == null || clusters.isEmpty()) ? List.of(cluster) : clusters == null ? List.of() : List.copyOf(clusters);
    }

    /** As a rule concludes it: not valued yet. */
    public Recommendation(String ruleId, TargetType targetType, String target, Severity severity, Level level, Map<String, Object> evidence,
            String explanation, Fix fix)
    {
        this(ruleId, targetType, target, severity, level, evidence, explanation, fix, null, null, List.of());
    }

    public Recommendation withEstimate(Estimate estimate)
    {
        return new Recommendation(ruleId, targetType, target, severity, level, evidence, explanation, fix, requireNonNull(estimate, "estimate is null"),
                cluster, clusters);
    }

    /** Of the pattern that ran on {@code cluster}: in a rule, {@code new Recommendation(...).on($pattern.cluster())}. */
    public Recommendation on(String cluster)
    {
        return new Recommendation(ruleId, targetType, target, severity, level, evidence, explanation, fix, estimate, requireNonNull(cluster, "cluster is null"),
                List.of(cluster));
    }

    /** From the evidence of these clusters (a table's scans summed over them). */
    public Recommendation from(List<String> clusters)
    {
        return new Recommendation(ruleId, targetType, target, severity, level, evidence, explanation, fix, estimate, cluster, clusters);
    }

    /** With one more piece of evidence, unless a rule gave it already. */
    public Recommendation withEvidence(String name, Object value)
    {
        if (evidence.containsKey(name)) {
            return this;
        }
        Map<String, Object> more = new LinkedHashMap<>(evidence);
        more.put(name, value);
        return new Recommendation(ruleId, targetType, target, severity, level, more, explanation, fix, estimate, cluster, clusters);
    }

    /** The target as a person reads it ({@link TargetType#label}). */
    public String label()
    {
        return targetType.label(target, evidence);
    }

    public String dedupeKey()
    {
        return ruleId + ":" + target + (cluster == null ? "" : "@" + cluster);
    }

    /** The fix as a person reads it. */
    public String proposedFix()
    {
        return fix.render();
    }

    /** Evidence as alternating names and values: {@code evidence("files", 12, "bytes", 34)}. */
    public static Map<String, Object> evidence(Object... namesAndValues)
    {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("evidence takes names and values in pairs");
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            evidence.put(String.valueOf(namesAndValues[i]), value instanceof Double number ? Math.round(number * 1000) / 1000.0 : value);
        }
        return evidence;
    }
}
