package dev.icetune.rules.facts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What a rule concludes: the runbook step to take on a table or a query pattern, why (the evidence
 * figures), and the concrete fix, as text for people and as a {@link Fix} for the applier. Rule id plus
 * target is its identity across evaluations.
 */
public record Recommendation(
        String ruleId,
        String targetType,
        String target,
        String severity,
        String level,
        Map<String, Object> evidence,
        String explanation,
        String proposedFix,
        Map<String, Object> fix)
{
    public static final String TABLE = "TABLE";
    public static final String PATTERN = "PATTERN";

    public Recommendation
    {
        requireNonNull(ruleId, "ruleId is null");
        requireNonNull(targetType, "targetType is null");
        requireNonNull(target, "target is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(level, "level is null");
        requireNonNull(explanation, "explanation is null");
        requireNonNull(proposedFix, "proposedFix is null");
        evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        fix = fix == null ? Fix.text(proposedFix) : Collections.unmodifiableMap(new LinkedHashMap<>(fix));
        if (!severity.matches("LOW|MEDIUM|HIGH|CRITICAL")) {
            throw new IllegalArgumentException("severity must be LOW, MEDIUM, HIGH or CRITICAL: " + severity);
        }
        if (!level.matches("L[1-4]")) {
            throw new IllegalArgumentException("level must be L1 (maintenance), L2 (query rewriting), L3 (architecture) or L4 (infrastructure): " + level);
        }
    }

    /** A recommendation whose fix is only its text: advice a person carries out. */
    public Recommendation(String ruleId, String targetType, String target, String severity, String level, Map<String, Object> evidence,
            String explanation, String proposedFix)
    {
        this(ruleId, targetType, target, severity, level, evidence, explanation, proposedFix, null);
    }

    public String dedupeKey()
    {
        return ruleId + ":" + target;
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
