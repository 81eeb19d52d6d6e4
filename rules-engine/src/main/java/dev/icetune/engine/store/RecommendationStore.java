package dev.icetune.engine.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.Fix;
import dev.icetune.engine.model.FixJson;
import dev.icetune.engine.model.FixKind;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Recommendations in PostgreSQL with their lifecycle. One row per rule and target; every change of status
 * is checked against {@link Status#canBecome} and kept in recommendation_history.
 */
public final class RecommendationStore
{
    public static final String SYSTEM_ACTOR = "icetune";
    public static final String AUTO_APPROVAL_ACTOR = "auto-approval";

    /** A stored recommendation as the CLI shows it. */
    public record Stored(long id, String ruleId, TargetType targetType, String target, Severity severity, Level level, Status status,
            String explanation, String proposedFix, Fix fix, Map<String, Object> evidence, Instant firstSeen, Instant lastSeen,
            int timesSeen, int missedEvaluations, Map<String, Object> measuredEffect, Estimate estimate, String cluster, List<String> clusters)
    {
        /** The target as a person reads it ({@link TargetType#label}). */
        public String label()
        {
            return targetType.label(target, evidence);
        }

        /**
         * Approved, but its condition did not hold at the last {@code resolveAfter} evaluations (an open one would have resolved): it
         * keeps its approval, but its fix answers a problem gone (fixed another way, by hand, or its queries no longer run) and is not applied.
         */
        public boolean isApprovedButUnseen(int resolveAfter)
        {
            return status == Status.APPROVED && missedEvaluations >= resolveAfter;
        }

        /** The estimate, or an unknown one for a recommendation recorded before estimates existed. */
        public Estimate estimateOrUnknown()
        {
            return estimate == null ? Estimate.unknown("recorded before icetune estimated recommendations.") : estimate;
        }
    }

    public record HistoryEntry(Instant at, Status fromStatus, Status toStatus, String actor, String reason) {}

    /** What one evaluation changed. */
    public record Outcome(int opened, int refreshed, int resolved) {}

    private static final ObjectMapper JSON = JsonMapper.builder().disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    /** The stored kinds ({@code fix ->> 'kind'}) of the fixes a person carries out: delivered, never applied. */
    private static final String[] DELIVERED_KINDS = Arrays.stream(FixKind.values()).filter(kind -> !kind.isApplicable()).map(FixJson::tag).toArray(String[]::new);

    private static final String FIRED_COLUMNS = "dedupe_key, rule_id, target_type, target, severity, level, explanation, proposed_fix, fix, evidence, "
            + "estimate, priority, cluster_name, clusters";
    private static final String COLUMNS = "id, rule_id, target_type, target, severity, level, status, explanation, proposed_fix, fix::text AS fix, "
            + "evidence::text AS evidence, measured_effect::text AS measured_effect, first_seen, last_seen, times_seen, missed_evaluations, estimate::text AS estimate, "
            + "cluster_name, clusters";

    private final Jdbi jdbi;
    private final Approvals approvals;

    public RecommendationStore(Jdbi jdbi)
    {
        this(jdbi, Approvals.NONE);
    }

    public RecommendationStore(Jdbi jdbi, Approvals approvals)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.approvals = requireNonNull(approvals, "approvals is null");
    }

    /** A person's decision on an open recommendation. Fails with a message saying why when it may not be taken. */
    public Stored approve(long id, String actor, String reason)
    {
        return decide(id, Status.APPROVED, actor, reason);
    }

    /** A person's refusal of an open or approved (not yet applied) recommendation. */
    public Stored reject(long id, String actor, String reason)
    {
        return decide(id, Status.REJECTED, actor, reason);
    }

    /** The verdict, in a measured effect, of an applied fix measured closely enough to rule out an effect: it stays applied, measured no more. */
    public static final String NO_EFFECT = "no_effect";
    /** The verdict of an applied fix whose table was dropped and created again under its name before it was judged: measured no more. */
    public static final String TABLE_REPLACED = "table_replaced";

    /**
     * A person taking back a decision: an approved recommendation not applied yet, or a rejected one, is open again, and the next
     * evaluation that fires its rule gives it what the rule proposes then, to be decided anew. An applied fix is undone by rollback.
     */
    public Stored reopen(long id, String actor, String reason)
    {
        return decide(id, Status.OPEN, actor, reason);
    }

    private Stored decide(long id, Status to, String actor, String reason)
    {
        requireNonNull(actor, "actor is null");
        approvals.checkMayDecide(actor);
        jdbi.useTransaction(handle -> {
            Status status = lockStatus(handle, id);
            if (status == to) {
                throw new IllegalStateException("recommendation " + id + " is already " + to);
            }
            if (to == Status.OPEN && status != Status.APPROVED && status != Status.REJECTED) {
                throw new IllegalStateException("recommendation " + id + " is " + status + "; only an approved or a rejected one can be reopened"
                        + (status == Status.APPLIED || status == Status.VERIFIED || status == Status.REGRESSED ? " (rollback undoes an applied fix)" : ""));
            }
            if (!status.canBecome(to)) {
                throw new IllegalStateException("recommendation " + id + " is " + status + "; only an open one can be " + to
                        + (to == Status.REJECTED ? " (or an approved one, before it is applied)" : "")
                        + (status == Status.REJECTED ? " (reopen takes back the rejection)" : ""));
            }
            setStatus(handle, id, status, to, actor, reason, null);
        });
        return find(id).orElseThrow();
    }

    /** A status change made by the applier or the effect measurement: checked against the current status and the transition table. */
    public void transition(long id, Status from, Status to, String actor, String reason)
    {
        jdbi.useTransaction(handle -> {
            Status status = lockStatus(handle, id);
            if (status != from) {
                throw new IllegalStateException("recommendation " + id + " is " + status + ", not " + from);
            }
            if (!from.canBecome(to)) {
                throw new IllegalStateException("recommendation " + id + " cannot go from " + from + " to " + to);
            }
            setStatus(handle, id, from, to, actor, reason, null);
        });
    }

    /** The measured effect of an applied fix, and its verdict (verified or regressed), kept in the history with the figures. */
    public void recordEffect(long id, Status verdict, Map<String, Object> effect, String reason)
    {
        if (verdict != Status.VERIFIED && verdict != Status.REGRESSED) {
            throw new IllegalArgumentException("a measured effect verifies or regresses a fix, not " + verdict);
        }
        String effectJson = json(effect);
        jdbi.useTransaction(handle -> {
            Status status = lockStatus(handle, id);
            if (status != Status.APPLIED) {
                return; // rolled back or decided meanwhile: the measurement no longer applies
            }
            handle.createUpdate("UPDATE recommendations SET measured_effect = CAST(:effect AS jsonb) WHERE id = :id").bind("effect", effectJson).bind("id", id).execute();
            setStatus(handle, id, status, verdict, SYSTEM_ACTOR, reason, effectJson);
        });
    }

    /**
     * An applied fix found to have changed nothing, by its apply or on its queries: the figures say so, and the status stays
     * applied, never verified, measured no more.
     */
    public void recordUnchanged(long id, Map<String, Object> effect)
    {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE recommendations SET measured_effect = CAST(:effect AS jsonb) WHERE id = :id AND status = 'applied'")
                .bind("effect", json(effect)).bind("id", id).execute());
    }

    private static Status lockStatus(Handle handle, long id)
    {
        return handle.createQuery("SELECT status FROM recommendations WHERE id = :id FOR UPDATE").bind("id", id).mapTo(String.class).findOne()
                .map(Status::of)
                .orElseThrow(() -> new IllegalArgumentException("no recommendation " + id));
    }

    private static void setStatus(Handle handle, long id, Status from, Status to, String actor, String reason, String evidenceJson)
    {
        Timestamp at = Timestamp.from(Instant.now());
        // a fix applied (again, after a rollback) is a new change, measured anew (a verdict on the last one stays in the history)
        handle.createUpdate("UPDATE recommendations SET status = :to, updated_at = :at" + (to == Status.APPLIED ? ", measured_effect = NULL" : "") + " WHERE id = :id")
                .bind("to", to.value()).bind("at", at).bind("id", id).execute();
        handle.createUpdate("INSERT INTO recommendation_history (recommendation_id, at, from_status, to_status, actor, reason, evidence) "
                        + "VALUES (:id, :at, :from, :to, :actor, :reason, CAST(:evidence AS jsonb))")
                .bind("id", id).bind("at", at).bind("from", from == null ? null : from.value()).bind("to", to.value()).bind("actor", actor)
                .bind("reason", reason).bind("evidence", evidenceJson).execute();
    }

    /** One row of the evaluations table: what a run of the rules looked at, fired and changed. */
    public long recordEvaluation(Instant started, Instant windowStart, Instant windowEnd, Instant baselineStart, int facts, int recommendations,
            Map<String, Integer> fired, Outcome outcome)
    {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO evaluations (started_at, finished_at, window_start, window_end, baseline_start, facts, recommendations, fired,
                            opened, refreshed, resolved)
                        VALUES (:started, :finished, :start, :end, :baseline, :facts, :recommendations, CAST(:fired AS jsonb), :opened, :refreshed, :resolved)""")
                .bind("started", Timestamp.from(started)).bind("finished", Timestamp.from(windowEnd))
                .bind("start", Timestamp.from(windowStart)).bind("end", Timestamp.from(windowEnd)).bind("baseline", Timestamp.from(baselineStart))
                .bind("facts", facts).bind("recommendations", recommendations).bind("fired", json(fired))
                .bind("opened", outcome.opened()).bind("refreshed", outcome.refreshed()).bind("resolved", outcome.resolved())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    /**
     * Records what the rules concluded at {@code now}: new recommendations open, known ones refresh their
     * evidence (a resolved one reopens), and open ones whose condition did not hold for {@code resolveAfter}
     * evaluations in a row resolve themselves, as do approved ones a person carries out (delivered: a rewrite, advice); approved ones
     * icetune applies count those evaluations ({@link Stored#isApprovedButUnseen}). One transaction.
     */
    public Outcome record(List<Recommendation> recommendations, Instant now, int resolveAfter)
    {
        return record(recommendations, now, Instant.EPOCH, resolveAfter, Optional.empty(), Tables.UNKNOWN, Set.of());
    }

    /**
     * What an evaluation knew of the tables recommendations rest on, each in its one-text form ({@code catalog.schema.table}): those it
     * read, those it could not read (tables, and whole catalogs as their catalog part), and the catalogs it listed in full. A table of a
     * listed catalog neither read nor unread is in it no more: dropped, or renamed.
     */
    public record Tables(Set<String> read, Set<String> unread, Set<String> listedCatalogs)
    {
        /** Nothing known of any table: none unread, none gone. */
        public static final Tables UNKNOWN = new Tables(Set.of(), Set.of(), Set.of());

        public Tables
        {
            read = Set.copyOf(read);
            unread = Set.copyOf(unread);
            listedCatalogs = Set.copyOf(listedCatalogs);
        }
    }

    /**
     * As {@link #record(List, Instant, int)}, for an evaluation of the window from {@code windowStart}, of one cluster's evidence or of
     * every cluster's (empty): only recommendations from that cluster's evidence can miss, so that evaluating one cluster never resolves
     * another's. Nor can those resting on a table whose metadata could not be read ({@link Tables#unread}), a pattern's whose rule
     * read it included: they did not fire for want of evidence, not because their problem went away; nor those of a rule whose
     * consequence threw on a match ({@code failedRules}): a rule being edited that breaks must not resolve what it had found. An
     * approved fix of a table no longer in its catalog (dropped or renamed) resolves as an open one does: nothing is left to apply it to.
     * A fix verified (or done by another fix) before the window began whose rule fires again met its problem again, as a table
     * fed by a stream fills with small and delete files again after its compaction: it keeps its record, and a new recommendation opens.
     */
    public Outcome record(List<Recommendation> recommendations, Instant now, Instant windowStart, int resolveAfter, Optional<String> cluster, Tables tables,
            Set<String> failedRules)
    {
        return jdbi.inTransaction(handle -> {
            handle.execute("LOCK TABLE recommendations IN SHARE ROW EXCLUSIVE MODE"); // one evaluation at a time
            handle.execute("CREATE TEMPORARY TABLE IF NOT EXISTS icetune_fired (dedupe_key text PRIMARY KEY, rule_id text, target_type text, target text, "
                    + "severity text, level text, explanation text, proposed_fix text, fix jsonb, evidence jsonb, estimate jsonb, priority double precision, "
                    + "cluster_name text, clusters text[]) ON COMMIT DELETE ROWS");
            stage(handle, recommendations);
            Timestamp at = Timestamp.from(now);
            // done before this window's evidence began and needed again: the done one moves aside (its key archived by its id). So does
            // one applied then measured with no effect, or measured no more for its table replaced (its updated_at the apply's): met from
            // outside, a table re-created with its small files between a compaction and its measurement kept the compaction "applied, no
            // effect", and its rule firing again on every evaluation after opened nothing
            handle.createUpdate("""
                    UPDATE recommendations r SET dedupe_key = r.dedupe_key || '#' || r.id
                    FROM icetune_fired f
                    WHERE r.dedupe_key = f.dedupe_key AND r.updated_at < :window_start
                      AND (r.status IN ('verified', 'superseded') OR (r.status = 'applied' AND r.measured_effect ->> 'verdict' IN (:no_effect, :table_replaced)))""")
                    .bind("no_effect", NO_EFFECT).bind("table_replaced", TABLE_REPLACED)
                    .bind("window_start", Timestamp.from(windowStart)).execute();
            // new ones open
            int opened = handle.createUpdate("""
                    WITH opened AS (
                        INSERT INTO recommendations (dedupe_key, rule_id, target_type, target, severity, level, status, explanation, proposed_fix,
                            fix, evidence, estimate, priority, cluster_name, clusters, first_seen, last_seen, updated_at)
                        SELECT f.dedupe_key, f.rule_id, f.target_type, f.target, f.severity, f.level, 'open', f.explanation, f.proposed_fix, f.fix,
                            f.evidence, f.estimate, f.priority, f.cluster_name, f.clusters, :at, :at, :at
                        FROM icetune_fired f WHERE NOT EXISTS (SELECT 1 FROM recommendations r WHERE r.dedupe_key = f.dedupe_key)
                        RETURNING id, rule_id, evidence, dedupe_key)
                    INSERT INTO recommendation_history (recommendation_id, at, from_status, to_status, actor, reason, evidence)
                    SELECT o.id, :at, NULL, 'open', :actor, 'rule ' || o.rule_id || ' fired' || coalesce((
                            -- the same problem again: the one done before, its key archived above
                            SELECT ' again after #' || d.id || ' (' || d.status
                                || CASE d.measured_effect ->> 'verdict' WHEN :no_effect THEN ', no effect' WHEN :table_replaced THEN ', its table replaced' ELSE '' END
                                || ')' FROM recommendations d
                            WHERE d.dedupe_key = o.dedupe_key || '#' || d.id ORDER BY d.id DESC LIMIT 1), ''), o.evidence
                    FROM opened o""")
                    .bind("at", at).bind("actor", SYSTEM_ACTOR).bind("no_effect", NO_EFFECT).bind("table_replaced", TABLE_REPLACED).execute();
            // the configuration may approve some newly opened ones; recorded as such
            for (Approvals.AutoApproval auto : approvals.autoApprovals()) {
                List<Long> ids = handle.createQuery("SELECT id, target FROM recommendations "
                                + "WHERE status = 'open' AND first_seen = :at AND rule_id = :rule AND level = :level")
                        .bind("at", at).bind("rule", auto.rule()).bind("level", auto.level().name())
                        .map((rs, ctx) -> auto.matches(auto.rule(), auto.level(), rs.getString("target")) ? rs.getLong("id") : -1L).list();
                for (long id : ids) {
                    if (id >= 0) {
                        setStatus(handle, id, Status.OPEN, Status.APPROVED, AUTO_APPROVAL_ACTOR, "icetune.auto-approve " + auto, null);
                    }
                }
            }
            // known ones refresh; a resolved one reopens
            handle.createUpdate("""
                    INSERT INTO recommendation_history (recommendation_id, at, from_status, to_status, actor, reason, evidence)
                    SELECT r.id, :at, r.status, 'open', :actor, 'rule ' || r.rule_id || ' fired again', f.evidence
                    FROM recommendations r JOIN icetune_fired f USING (dedupe_key)
                    WHERE r.status = 'resolved' AND r.last_seen < :at""")
                    .bind("at", at).bind("actor", SYSTEM_ACTOR).execute();
            // an open (or reopened) one takes what the rule says now; one a person decided on keeps the fix, evidence and estimate
            // they decided on (what is approved is what is applied, and its effect is compared with the estimate it had), counts
            // that the rule fired again, and adds the clusters whose scans it fired on now (met from outside: a compaction approved
            // for the ETL cluster's scans, its table now read by the BI cluster's dashboards, was missing from list --cluster bi)
            int refreshed = handle.createUpdate("""
                    UPDATE recommendations r SET severity = f.severity, level = f.level, explanation = f.explanation, proposed_fix = f.proposed_fix, fix = f.fix,
                        evidence = f.evidence, estimate = f.estimate, priority = f.priority, clusters = f.clusters, last_seen = :at, times_seen = r.times_seen + 1, missed_evaluations = 0, updated_at = :at,
                        status = 'open'
                    FROM icetune_fired f
                    WHERE r.dedupe_key = f.dedupe_key AND r.first_seen < :at AND r.status IN ('open', 'resolved')""")
                    .bind("at", at).execute();
            refreshed += handle.createUpdate("""
                    UPDATE recommendations r SET last_seen = :at, times_seen = r.times_seen + 1, missed_evaluations = 0,
                        clusters = ARRAY(SELECT DISTINCT c FROM unnest(r.clusters || f.clusters) AS u(c) ORDER BY c)
                    FROM icetune_fired f
                    WHERE r.dedupe_key = f.dedupe_key AND r.first_seen < :at AND r.status NOT IN ('open', 'resolved')""")
                    .bind("at", at).execute();
            // open and approved ones that did not fire count a miss (unless the table they rest on could not be read, or their rule threw); open ones resolve
            // after resolveAfter misses in a row, approved ones keep their approval, and apply leaves them be (its condition no longer holds)
            handle.createUpdate("""
                    UPDATE recommendations r SET missed_evaluations = r.missed_evaluations + 1
                    WHERE r.status IN ('open', 'approved') AND NOT EXISTS (SELECT 1 FROM icetune_fired f WHERE f.dedupe_key = r.dedupe_key)
                      AND (CAST(:cluster AS text) IS NULL OR r.cluster_name = :cluster OR (r.cluster_name IS NULL AND :cluster = ANY (r.clusters)))
                      AND r.rule_id <> ALL (CAST(:failed_rules AS text[]))
                      -- the table it rests on, whose metadata its rule read: a table's own, or a pattern's whose rule joined the table
                      -- (non-sargable-predicate, leading-wildcard-like: its evidence names it)
                      AND NOT EXISTS (SELECT 1 FROM unnest(CAST(:unread AS text[])) AS u(scope),
                                          LATERAL (SELECT CASE WHEN r.target_type = 'TABLE' THEN r.target ELSE r.evidence ->> 'table' END) AS t(tbl)
                          WHERE t.tbl = u.scope OR starts_with(t.tbl, u.scope || '.'))""")
                    .bind("cluster", cluster.orElse(null)).bindArray("unread", String.class, tables.unread().toArray(String[]::new))
                    .bindArray("failed_rules", String.class, failedRules.toArray(String[]::new)).execute();
            // so do approved ones that a person carries out (a rewrite, advice): delivered, there is nothing left to apply or keep approved;
            // and approved ones of a table its catalog no longer holds (met from outside: a table dropped kept its compaction approved for
            // good, skipped by every apply): the table read again, or any of its catalog unread, keeps them approved
            int resolved = handle.createUpdate("""
                    WITH gone AS (
                        SELECT id, status, status = 'approved' AND fix ->> 'kind' <> ALL (CAST(:delivered AS text[])) AS dropped FROM recommendations r
                        WHERE missed_evaluations >= :after AND (status = 'open' OR (status = 'approved' AND (fix ->> 'kind' = ANY (CAST(:delivered AS text[]))
                            OR (target_type = 'TABLE'
                                AND EXISTS (SELECT 1 FROM unnest(CAST(:listed AS text[])) AS c(part) WHERE starts_with(r.target, c.part || '.'))
                                AND NOT EXISTS (SELECT 1 FROM unnest(CAST(:known AS text[])) AS t(name) WHERE r.target = t.name OR starts_with(r.target, t.name || '.'))))))
                        FOR UPDATE),
                    resolved AS (
                        UPDATE recommendations r SET status = 'resolved', updated_at = :at FROM gone g WHERE r.id = g.id
                        RETURNING r.id, g.status AS from_status, g.dropped, r.missed_evaluations)
                    INSERT INTO recommendation_history (recommendation_id, at, from_status, to_status, actor, reason)
                    SELECT id, :at, from_status, 'resolved', :actor, 'condition did not hold for ' || missed_evaluations || ' evaluations'
                        || CASE WHEN dropped THEN '; its table is in its catalog no more (dropped or renamed): nothing is left to apply it to' ELSE '' END
                    FROM resolved""")
                    .bind("at", at).bind("after", resolveAfter).bind("actor", SYSTEM_ACTOR).bindArray("delivered", String.class, DELIVERED_KINDS)
                    .bindArray("listed", String.class, tables.listedCatalogs().toArray(String[]::new))
                    .bindArray("known", String.class, Stream.concat(tables.read().stream(), tables.unread().stream()).toArray(String[]::new))
                    .execute();
            return new Outcome(opened, refreshed, resolved);
        });
    }

    /**
     * What fired, into the transaction's staging table with one COPY: each value is parsed once (one JSON document of
     * them all was parsed whole, then each field again, and took most of the recording's time). The first of two with
     * one dedupe key is kept.
     */
    private static void stage(Handle handle, List<Recommendation> recommendations)
    {
        Map<String, Recommendation> fired = new LinkedHashMap<>();
        recommendations.forEach(recommendation -> fired.putIfAbsent(recommendation.dedupeKey(), recommendation));
        StringBuilder csv = new StringBuilder(fired.size() * 1024);
        for (Recommendation recommendation : fired.values()) {
            Csv.row(csv, recommendation.dedupeKey(), recommendation.ruleId(), recommendation.targetType().name(), recommendation.target(),
                    recommendation.severity().name(), recommendation.level().name(), recommendation.explanation(), recommendation.proposedFix(),
                    FixJson.write(recommendation.fix()), // written as Fix, so that it carries its kind
                    json(recommendation.evidence()),
                    recommendation.estimate() == null ? null : json(recommendation.estimate()),
                    String.valueOf(recommendation.estimate() == null ? 0 : recommendation.estimate().priority()),
                    recommendation.cluster(),
                    Csv.textArray(recommendation.clusters()));
        }
        try {
            handle.getConnection().unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY icetune_fired (" + FIRED_COLUMNS + ") FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
        }
        catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot stage the recommendations", e);
        }
    }

    /** Recommendations, the highest priority first (the most severe first among equals), optionally of one status. */
    public List<Stored> list(Optional<Status> status)
    {
        return list(status, Optional.empty());
    }

    /** As {@link #list(Optional)}, of one cluster: its patterns' recommendations, and tables' whose evidence it contributed to. */
    public List<Stored> list(Optional<Status> status, Optional<String> cluster)
    {
        Map<String, Object> parameters = new HashMap<>();
        status.ifPresent(value -> parameters.put("status", value.value()));
        cluster.ifPresent(value -> parameters.put("cluster", value));
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM recommendations WHERE true"
                        + (status.isPresent() ? " AND status = :status" : "")
                        + (cluster.isPresent() ? " AND (cluster_name = :cluster OR :cluster = ANY (clusters))" : "")
                        + " ORDER BY priority DESC, CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 ELSE 3 END, id")
                .bindMap(parameters)
                .map((rs, ctx) -> stored(rs)).list());
    }

    /** The clusters recommendations name (a pattern's own, those a table's evidence came from), sorted: what {@link #list(Optional, Optional)} can narrow to. */
    public List<String> clusters()
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT cluster_name FROM recommendations WHERE cluster_name IS NOT NULL
                        UNION
                        SELECT unnest(clusters) FROM recommendations
                        ORDER BY 1""")
                .mapTo(String.class).list());
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
                .map((rs, ctx) -> new HistoryEntry(rs.getTimestamp("at").toInstant(), rs.getString("from_status") == null ? null : Status.of(rs.getString("from_status")),
                        Status.of(rs.getString("to_status")), rs.getString("actor"), rs.getString("reason")))
                .list());
    }

    /** Who approved the recommendation last, if anyone did. */
    public Optional<String> approvedBy(long id)
    {
        return history(id).stream().filter(entry -> entry.toStatus() == Status.APPROVED).reduce((first, second) -> second).map(HistoryEntry::actor);
    }

    /** Counts of open recommendations by severity, for the metrics. */
    public Map<Severity, Long> openBySeverity()
    {
        return jdbi.withHandle(handle -> {
            Map<Severity, Long> counts = new TreeMap<>();
            handle.createQuery("SELECT severity, count(*) AS n FROM recommendations WHERE status = 'open' GROUP BY severity")
                    .map((rs, ctx) -> Map.entry(Severity.valueOf(rs.getString("severity")), rs.getLong("n"))).forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
            return counts;
        });
    }

    private static Stored stored(ResultSet rs)
            throws SQLException
    {
        long id = rs.getLong("id");
        Fix fix;
        try {
            fix = FixJson.read(rs.getString("fix"));
        }
        catch (IllegalArgumentException e) {
            throw new SQLException("recommendation " + id + ": " + e.getMessage(), e);
        }
        return new Stored(id, rs.getString("rule_id"), TargetType.valueOf(rs.getString("target_type")), rs.getString("target"),
                Severity.valueOf(rs.getString("severity")), Level.valueOf(rs.getString("level")), Status.of(rs.getString("status")),
                rs.getString("explanation"), rs.getString("proposed_fix"), fix, map(id, rs.getString("evidence")),
                rs.getTimestamp("first_seen").toInstant(), rs.getTimestamp("last_seen").toInstant(), rs.getInt("times_seen"), rs.getInt("missed_evaluations"),
                rs.getString("measured_effect") == null ? null : map(id, rs.getString("measured_effect")),
                rs.getString("estimate") == null ? null : estimate(id, rs.getString("estimate")), rs.getString("cluster_name"),
                List.of((String[]) rs.getArray("clusters").getArray()));
    }

    private static Estimate estimate(long id, String json)
            throws SQLException
    {
        try {
            return JSON.readValue(json, Estimate.class);
        }
        catch (JsonProcessingException e) {
            throw new SQLException("unreadable estimate of recommendation " + id + ": " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> map(long id, String json)
            throws SQLException
    {
        try {
            return JSON.readValue(json, MAP);
        }
        catch (JsonProcessingException e) {
            throw new SQLException("unreadable JSON of recommendation " + id, e);
        }
    }

    private static String json(Object value)
    {
        try {
            return JSON.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON: " + value, e);
        }
    }
}
