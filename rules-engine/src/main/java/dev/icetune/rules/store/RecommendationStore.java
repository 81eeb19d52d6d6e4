package dev.icetune.rules.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.icetune.rules.facts.Recommendation;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Recommendations in PostgreSQL with their lifecycle. One row per rule and target; every change of
 * status is kept in recommendation_history.
 */
public final class RecommendationStore
{
    public static final String SYSTEM_ACTOR = "icetune";

    /** A stored recommendation as the CLI shows it. */
    public record Stored(long id, String ruleId, String targetType, String target, String severity, String level, String status,
            String explanation, String proposedFix, Map<String, Object> evidence, Instant firstSeen, Instant lastSeen, int timesSeen,
            int missedEvaluations) {}

    public record HistoryEntry(Instant at, String fromStatus, String toStatus, String actor, String reason) {}

    /** What one evaluation changed. */
    public record Outcome(int opened, int refreshed, int resolved) {}

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String COLUMNS = "id, rule_id, target_type, target, severity, level, status, explanation, proposed_fix, evidence::text AS evidence, "
            + "first_seen, last_seen, times_seen, missed_evaluations";

    private final Jdbi jdbi;

    public RecommendationStore(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /**
     * Records what the rules concluded at {@code now}: new recommendations open, known ones refresh their
     * evidence (a resolved one reopens), and open ones whose condition did not hold for {@code resolveAfter}
     * evaluations in a row resolve themselves. One transaction.
     */
    public Outcome record(List<Recommendation> recommendations, Instant now, int resolveAfter)
    {
        return jdbi.inTransaction(handle -> {
            handle.execute("LOCK TABLE recommendations IN SHARE ROW EXCLUSIVE MODE"); // one evaluation at a time
            Timestamp at = Timestamp.from(now);
            int opened = 0;
            int refreshed = 0;
            Set<String> seen = new HashSet<>();
            for (Recommendation recommendation : recommendations) {
                seen.add(recommendation.dedupeKey());
                String evidence = json(recommendation.evidence());
                Optional<Map<String, Object>> existing = handle.createQuery("SELECT id, status FROM recommendations WHERE dedupe_key = :key FOR UPDATE")
                        .bind("key", recommendation.dedupeKey()).mapToMap().findOne();
                if (existing.isEmpty()) {
                    long id = handle.createUpdate("""
                                    INSERT INTO recommendations (dedupe_key, rule_id, target_type, target, severity, level, status, explanation,
                                        proposed_fix, evidence, first_seen, last_seen, updated_at)
                                    VALUES (:key, :rule, :type, :target, :severity, :level, 'open', :explanation, :fix, CAST(:evidence AS jsonb), :at, :at, :at)""")
                            .bind("key", recommendation.dedupeKey()).bind("rule", recommendation.ruleId()).bind("type", recommendation.targetType())
                            .bind("target", recommendation.target()).bind("severity", recommendation.severity()).bind("level", recommendation.level())
                            .bind("explanation", recommendation.explanation()).bind("fix", recommendation.proposedFix()).bind("evidence", evidence)
                            .bind("at", at).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                    history(handle, id, at, null, "open", SYSTEM_ACTOR, "rule " + recommendation.ruleId() + " fired", evidence);
                    opened++;
                    continue;
                }
                long id = ((Number) existing.get().get("id")).longValue();
                String status = (String) existing.get().get("status");
                String newStatus = status.equals("resolved") ? "open" : status;
                handle.createUpdate("""
                                UPDATE recommendations SET severity = :severity, level = :level, explanation = :explanation, proposed_fix = :fix,
                                    evidence = CAST(:evidence AS jsonb), last_seen = :at, times_seen = times_seen + 1, missed_evaluations = 0,
                                    status = :status, updated_at = :at
                                WHERE id = :id""")
                        .bind("severity", recommendation.severity()).bind("level", recommendation.level()).bind("explanation", recommendation.explanation())
                        .bind("fix", recommendation.proposedFix()).bind("evidence", evidence).bind("at", at).bind("status", newStatus).bind("id", id)
                        .execute();
                if (!newStatus.equals(status)) {
                    history(handle, id, at, status, newStatus, SYSTEM_ACTOR, "rule " + recommendation.ruleId() + " fired again", evidence);
                }
                refreshed++;
            }
            int resolved = 0;
            List<Map<String, Object>> open = handle.createQuery("SELECT id, dedupe_key, missed_evaluations FROM recommendations WHERE status = 'open' FOR UPDATE")
                    .mapToMap().list();
            for (Map<String, Object> row : open) {
                if (seen.contains((String) row.get("dedupe_key"))) {
                    continue;
                }
                long id = ((Number) row.get("id")).longValue();
                int missed = ((Number) row.get("missed_evaluations")).intValue() + 1;
                if (missed >= resolveAfter) {
                    handle.createUpdate("UPDATE recommendations SET status = 'resolved', missed_evaluations = :missed, updated_at = :at WHERE id = :id")
                            .bind("missed", missed).bind("at", at).bind("id", id).execute();
                    history(handle, id, at, "open", "resolved", SYSTEM_ACTOR, "condition did not hold for " + missed + " evaluations", null);
                    resolved++;
                }
                else {
                    handle.createUpdate("UPDATE recommendations SET missed_evaluations = :missed WHERE id = :id").bind("missed", missed).bind("id", id).execute();
                }
            }
            return new Outcome(opened, refreshed, resolved);
        });
    }

    public List<Stored> list(Optional<String> status)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM recommendations"
                        + (status.isPresent() ? " WHERE status = :status" : "")
                        + " ORDER BY CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 ELSE 3 END, id")
                .bindMap(status.map(value -> Map.<String, Object>of("status", value)).orElse(Map.of()))
                .map((rs, ctx) -> stored(rs)).list());
    }

    public Optional<Stored> find(long id)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM recommendations WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> stored(rs)).findOne());
    }

    public List<HistoryEntry> history(long id)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT at, from_status, to_status, actor, reason FROM recommendation_history WHERE recommendation_id = :id ORDER BY id")
                .bind("id", id)
                .map((rs, ctx) -> new HistoryEntry(rs.getTimestamp("at").toInstant(), rs.getString("from_status"), rs.getString("to_status"),
                        rs.getString("actor"), rs.getString("reason")))
                .list());
    }

    /** Counts of open recommendations by severity, for the metrics. */
    public Map<String, Long> openBySeverity()
    {
        return jdbi.withHandle(handle -> {
            Map<String, Long> counts = new java.util.TreeMap<>();
            handle.createQuery("SELECT severity, count(*) AS n FROM recommendations WHERE status = 'open' GROUP BY severity")
                    .map((rs, ctx) -> Map.entry(rs.getString("severity"), rs.getLong("n"))).forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
            return counts;
        });
    }

    private static void history(Handle handle, long id, Timestamp at, String from, String to, String actor, String reason, String evidence)
    {
        handle.createUpdate("""
                        INSERT INTO recommendation_history (recommendation_id, at, from_status, to_status, actor, reason, evidence)
                        VALUES (:id, :at, :from, :to, :actor, :reason, CAST(:evidence AS jsonb))""")
                .bind("id", id).bind("at", at).bind("from", from).bind("to", to).bind("actor", actor).bind("reason", reason).bind("evidence", evidence)
                .execute();
    }

    @SuppressWarnings("unchecked")
    private static Stored stored(java.sql.ResultSet rs)
            throws java.sql.SQLException
    {
        Map<String, Object> evidence;
        try {
            evidence = JSON.readValue(rs.getString("evidence"), Map.class);
        }
        catch (JsonProcessingException e) {
            throw new java.sql.SQLException("unreadable evidence of recommendation " + rs.getLong("id"), e);
        }
        return new Stored(rs.getLong("id"), rs.getString("rule_id"), rs.getString("target_type"), rs.getString("target"), rs.getString("severity"),
                rs.getString("level"), rs.getString("status"), rs.getString("explanation"), rs.getString("proposed_fix"), evidence,
                rs.getTimestamp("first_seen").toInstant(), rs.getTimestamp("last_seen").toInstant(), rs.getInt("times_seen"), rs.getInt("missed_evaluations"));
    }

    private static String json(Map<String, Object> evidence)
    {
        try {
            return JSON.writeValueAsString(evidence);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("evidence is not serializable: " + evidence, e);
        }
    }
}
