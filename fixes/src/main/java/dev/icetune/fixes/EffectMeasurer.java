package dev.icetune.fixes;

import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.store.RecommendationStore;
import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * After a fix: the query patterns that read the fixed table (or the fixed pattern itself), before the fix
 * against after it, by the same measures the rules use. Once enough queries ran since, the
 * recommendation records the effect and becomes verified (fewer files or bytes per query, or a lower p95)
 * or regressed (p95 up by more than half with no fewer files or bytes).
 */
public final class EffectMeasurer
{
    public record Effect(long recommendationId, Status verdict, Map<String, Object> figures) {}

    /** Both windows restricted to the patterns seen in both, so the comparison is of the same queries. */
    private static final String MEASURE = """
            WITH scoped AS (
                SELECT query_pattern_hash AS h, "timestamp" >= :applied AS after, latency, coalesce(files_scanned, 0) AS files,
                       coalesce(bytes_scanned, 0) AS bytes
                FROM query_logs
                WHERE "timestamp" >= :since AND "timestamp" < :now AND update_type IS NULL AND success
                  AND (main_input = :target OR query_pattern_hash = :target)),
            common AS (
                SELECT h FROM scoped GROUP BY h HAVING bool_or(after) AND bool_or(NOT after))
            SELECT count(*) FILTER (WHERE NOT after) AS queries_before, count(*) FILTER (WHERE after) AS queries_after,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency) FILTER (WHERE NOT after) AS p50_before,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency) FILTER (WHERE after) AS p50_after,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) FILTER (WHERE NOT after) AS p95_before,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) FILTER (WHERE after) AS p95_after,
                   avg(files) FILTER (WHERE NOT after) AS files_before, avg(files) FILTER (WHERE after) AS files_after,
                   avg(bytes) FILTER (WHERE NOT after) AS bytes_before, avg(bytes) FILTER (WHERE after) AS bytes_after
            FROM scoped WHERE h IN (SELECT h FROM common)
            """;

    private final Jdbi jdbi;
    private final RecommendationStore store;
    private final int minQueries;

    public EffectMeasurer(Jdbi jdbi, RecommendationStore store, int minQueries)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.store = requireNonNull(store, "store is null");
        this.minQueries = minQueries;
    }

    /** Measures every applied fix; records those with at least {@code minQueries} queries on each side. */
    public List<Effect> measure(Instant now, java.time.Duration lookBack)
    {
        List<Effect> effects = new ArrayList<>();
        FixAudit audit = new FixAudit(jdbi);
        for (RecommendationStore.Stored applied : store.list(java.util.Optional.of(Status.APPLIED))) {
            Instant appliedAt = audit.lastApplied(applied.id()).orElse(null);
            if (appliedAt == null) {
                continue;
            }
            String target = applied.targetType() == TargetType.TABLE ? applied.fix().changedTable().orElse(applied.target()) : applied.target();
            Map<String, Object> figures = jdbi.withHandle(handle -> handle.createQuery(MEASURE)
                    .bind("applied", Timestamp.from(appliedAt)).bind("since", Timestamp.from(appliedAt.minus(lookBack)))
                    .bind("now", Timestamp.from(now)).bind("target", target)
                    .mapToMap().one());
            long before = ((Number) figures.get("queries_before")).longValue();
            long after = ((Number) figures.get("queries_after")).longValue();
            if (before < minQueries || after < minQueries) {
                continue;
            }
            Map<String, Object> effect = new LinkedHashMap<>();
            effect.put("applied_at", appliedAt.toString());
            effect.put("queries_before", before);
            effect.put("queries_after", after);
            effect.put("p50_ms_before", number(figures.get("p50_before")));
            effect.put("p50_ms_after", number(figures.get("p50_after")));
            effect.put("p95_ms_before", number(figures.get("p95_before")));
            effect.put("p95_ms_after", number(figures.get("p95_after")));
            effect.put("files_per_query_before", number(figures.get("files_before")));
            effect.put("files_per_query_after", number(figures.get("files_after")));
            effect.put("bytes_per_query_before", number(figures.get("bytes_before")));
            effect.put("bytes_per_query_after", number(figures.get("bytes_after")));
            boolean fewerFiles = number(figures.get("files_after")) < number(figures.get("files_before"));
            boolean fewerBytes = number(figures.get("bytes_after")) < number(figures.get("bytes_before"));
            boolean faster = number(figures.get("p95_after")) < number(figures.get("p95_before"));
            boolean slower = number(figures.get("p95_after")) > 1.5 * number(figures.get("p95_before"));
            Status verdict = slower && !fewerFiles && !fewerBytes ? Status.REGRESSED : fewerFiles || fewerBytes || faster ? Status.VERIFIED : null;
            if (verdict == null) {
                continue; // no measurable effect yet: keep measuring
            }
            store.recordEffect(applied.id(), verdict, effect, "measured effect on the same query patterns");
            effects.add(new Effect(applied.id(), verdict, effect));
        }
        return effects;
    }

    private static double number(Object value)
    {
        return value == null ? 0 : Math.round(((Number) value).doubleValue() * 1000) / 1000.0;
    }
}
