package dev.icetune.fixes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The fix_audit table: every attempt to apply or roll back a fix, dry runs included, with the table's state before and after. */
public final class FixAudit
{
    public enum Action
    {
        DRY_RUN, APPLY, ROLLBACK;

        public String value()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public enum Result
    {
        PLANNED, APPLIED, NO_OP, FAILED, ROLLED_BACK, NOT_POSSIBLE;

        public String value()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One audit row as written: a whole apply ({@code step} null), or one step of its plan, {@code step} of {@code steps}. */
    public record Entry(long recommendationId, String actor, Optional<String> approvedBy, Action action, Result result, String change, String message,
            Optional<TableState> before, Optional<TableState> after, Integer step, Integer steps) {}

    /**
     * One audit row as a person reads it: an apply or rollback as a whole ({@code step} null; its {@code change} every step's), or one
     * step of its plan, {@code step} of {@code steps}, with what it changed or the failure ({@code message}).
     */
    public record Attempt(Instant at, String actor, String action, String result, Integer step, Integer steps, String change, String message) {}

    /** The message of an apply of a fix that was applied before: an attempt, audited, that is not the fix's application. */
    static final String ALREADY_APPLIED = "already applied";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Jdbi jdbi;

    public FixAudit(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    public void record(Entry entry)
    {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO fix_audit (recommendation_id, at, actor, approved_by, action, change, result, message, snapshot_before, snapshot_after,
                            state_before, state_after, step, steps)
                        VALUES (:id, :at, :actor, :approved_by, :action, :change, :result, :message, :snapshot_before, :snapshot_after,
                            CAST(:before AS jsonb), CAST(:after AS jsonb), :step, :steps)""")
                .bind("id", entry.recommendationId()).bind("at", Timestamp.from(Instant.now())).bind("actor", entry.actor())
                .bind("approved_by", entry.approvedBy().orElse(null)).bind("action", entry.action().value()).bind("change", entry.change())
                .bind("result", entry.result().value()).bind("message", entry.message())
                .bind("snapshot_before", entry.before().map(TableState::snapshotId).orElse(null))
                .bind("snapshot_after", entry.after().map(TableState::snapshotId).orElse(null))
                .bind("before", entry.before().map(state -> json(state.toMap())).orElse(null))
                .bind("after", entry.after().map(state -> json(state.toMap())).orElse(null))
                .bind("step", entry.step()).bind("steps", entry.steps())
                .execute());
    }

    /**
     * The table's state before the recommendation's change began and after the last successful apply of it (as a whole, not a step of
     * it). The change began with that apply, or, since the last rollback, with an earlier apply that failed after changing the layout
     * (a partition change committed, its rewrite failed; the next apply rewrote what was left): a rollback restores what was before it.
     */
    public Optional<Map.Entry<TableState, TableState>> statesOfLastApply(long recommendationId)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        WITH applies AS (
                            SELECT id, result, state_before, state_after FROM fix_audit
                            WHERE recommendation_id = :id AND action = 'apply' AND step IS NULL AND state_before IS NOT NULL AND state_after IS NOT NULL
                              AND id > (SELECT coalesce(max(id), 0) FROM fix_audit WHERE recommendation_id = :id AND action = 'rollback' AND result = 'rolled-back')),
                        last AS (SELECT * FROM applies WHERE result = 'applied' ORDER BY id DESC LIMIT 1)
                        -- the layout alone compared: snapshots and metadata size change with every writer's commit
                        SELECT coalesce((SELECT state_before FROM applies a WHERE a.result = 'failed' AND a.id < last.id
                                           AND a.state_after - 'snapshots' - 'metadata_bytes' IS DISTINCT FROM a.state_before - 'snapshots' - 'metadata_bytes'
                                         ORDER BY a.id LIMIT 1),
                                        last.state_before)::text AS before,
                               last.state_after::text AS after
                        FROM last""")
                .bind("id", recommendationId).map((row, context) -> Map.entry(state(row.getString("before")), state(row.getString("after")))).findOne());
    }

    /** Every change a fix made to its table since {@code since}, applied or rolled back (as a whole, not a step): the recommendation and when, oldest first. */
    public List<Map.Entry<Long, Instant>> changesSince(Instant since)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT recommendation_id, at FROM fix_audit
                        WHERE at >= :since AND step IS NULL AND ((action = 'apply' AND result = 'applied') OR (action = 'rollback' AND result = 'rolled-back'))
                        ORDER BY at, id""")
                .bind("since", Timestamp.from(since))
                .map((row, context) -> Map.entry(row.getLong("recommendation_id"), row.getTimestamp("at").toInstant())).list());
    }

    /** Every attempt to apply or roll back the recommendation's fix, dry runs and failed steps included, oldest first. */
    public List<Attempt> attempts(long recommendationId)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT at, actor, action, result, step, steps, change, message FROM fix_audit WHERE recommendation_id = :id ORDER BY id")
                .bind("id", recommendationId)
                .map((row, context) -> new Attempt(row.getTimestamp("at").toInstant(), row.getString("actor"), row.getString("action"), row.getString("result"),
                        row.getObject("step", Integer.class), row.getObject("steps", Integer.class), row.getString("change"), row.getString("message")))
                .list());
    }

    /** When the recommendation was last applied (or found already in effect). */
    public Optional<Instant> lastApplied(long recommendationId)
    {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT max(at) FROM fix_audit WHERE recommendation_id = :id AND action = 'apply' AND result IN ('applied', 'no-op') AND step IS NULL "
                                + "AND message IS DISTINCT FROM :again")
                .bind("id", recommendationId).bind("again", ALREADY_APPLIED).mapTo(Timestamp.class).findOne().map(Timestamp::toInstant));
    }

    /** Whether the last apply of the recommendation changed nothing (its change was already in effect). */
    public boolean lastApplyChangedNothing(long recommendationId)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT result FROM fix_audit WHERE recommendation_id = :id AND action = 'apply' AND result IN ('applied', 'no-op') AND step IS NULL
                          AND message IS DISTINCT FROM :again
                        ORDER BY id DESC LIMIT 1""")
                .bind("id", recommendationId).bind("again", ALREADY_APPLIED).mapTo(String.class).findOne().map(Result.NO_OP.value()::equals).orElse(false));
    }

    @SuppressWarnings("unchecked")
    private static TableState state(String json)
    {
        try {
            Map<String, Object> state = JSON.readValue(json, new TypeReference<>() {});
            return new TableState((List<String>) state.getOrDefault("partitioning", List.of()), (List<String>) state.getOrDefault("sort_order", List.of()),
                    (Map<String, String>) state.getOrDefault("properties", Map.of()), null,
                    ((Number) state.getOrDefault("snapshots", 0)).intValue(), ((Number) state.getOrDefault("metadata_bytes", 0)).longValue(), (String) state.get("uuid"));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable audit state: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(Object value)
    {
        try {
            return JSON.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
