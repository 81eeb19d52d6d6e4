package dev.icetune.engine.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What a rule concludes: the runbook step to take on a table or a query pattern, why (the evidence figures
 * and an explanation), and the {@link Fix}. Rule id plus target is its identity across evaluations.
 */
public record Recommendation(
        String ruleId,
        TargetType targetType,
        String target,
        Severity severity,
        Level level,
        Map<String, Object> evidence,
        String explanation,
        Fix fix)
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
    }

    public String dedupeKey()
    {
        return ruleId + ":" + target;
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
