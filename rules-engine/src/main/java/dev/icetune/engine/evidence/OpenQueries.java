package dev.icetune.engine.evidence;

import dev.icetune.engine.facts.RunningQueryFact;
import org.jdbi.v3.core.Handle;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queries started and not completed, for the hung-queries rule: the starts of the day before an evaluation's end with
 * no row in query_logs. Read directly, that is a day of query_starts against a day of query_logs at every evaluation
 * (7.3 s at 3,000,000 queries a day). The queries open at a check are kept in open_queries instead: the next check adds
 * the starts inserted since, less those already completed, and drops the open queries whose completion has arrived
 * since, each an index lookup. The starts are told apart by inserted_at, not create_time: a listener's journal replayed
 * after an outage inserts starts that are old when they arrive, and such a query may still be running. The coordinators
 * seen in those starts are kept beside them (query_coordinators), so that a query whose coordinator has restarted since,
 * which Trino neither keeps nor completes, is not taken for a running one; nor is one whose coordinator has stopped saying it
 * is alive (coordinator_heartbeats), as a coordinator killed and not started again does.
 *
 * <p>One check at a time (a transaction lock); an evaluation whose day starts before what open_queries still covers (one
 * of an earlier end than the service's) reads directly, as before.
 */
final class OpenQueries
{
    /** How far back before an evaluation's end a start without a completion counts: a day. */
    static final Duration HORIZON = Duration.ofDays(1);

    /** As for the baseline's rollups: a transaction that started this long before a check and committed after it is still seen by the next one. */
    static final Duration COMMIT_MARGIN = BaselineRollups.COMMIT_MARGIN;

    /** A coordinator not heard from this long is gone, with its open queries: four of its listener's heartbeats (every 30 s) missed. */
    static final Duration COORDINATOR_GONE_AFTER = Duration.ofMinutes(2);

    /**
     * SQL: the starts from {@code :from} on that {@code <inserted>} selects, without a completion. A completion ends after
     * its start; the bound on query_logs keeps its scan to the days from the earliest start on.
     */
    static final String UNCOMPLETED = """
            SELECT s.query_id, s.create_time, s.cluster_name, s.user_name, s.query_pattern_hash
            FROM query_starts s
            WHERE s.create_time >= :from <inserted>
              AND NOT EXISTS (SELECT 1 FROM query_logs l WHERE l.query_id = s.query_id AND l."timestamp" >= :from)
            """;

    /** SQL: every start from {@code :from} on without a completion (a first check, or a direct read). */
    private static final String ALL_UNCOMPLETED = UNCOMPLETED.replace("<inserted>", "");

    /**
     * SQL: the coordinators of each cluster in the starts from {@code :from} on that {@code <inserted>} selects, by the id that ends a
     * query id of Trino's ({@code 20261204_194824_00364_x2euz}), with their first and last start. Other ids name no coordinator.
     */
    static final String COORDINATORS = """
            SELECT cluster_name, right(query_id, 5) AS coordinator_id, min(create_time) AS first_start, max(create_time) AS last_start
            FROM query_starts
            WHERE create_time >= :from <inserted> AND query_id ~ '^[0-9]{8}_[0-9]{6}_[0-9]{5}_[a-z0-9]{5}$'
            GROUP BY 1, 2
            """;

    /**
     * SQL: the open queries of an evaluation, created in the day before its end and at least a minute before it, less those whose
     * coordinator has been replaced since: another one of the cluster started its first query after that one's last. Trino keeps
     * no query across a restart, and sends no completion for those it cut off. Less, too, those whose completion the listener
     * recorded as lost (lost_completions): it could not keep it, and no other will come. Less, last, those of a coordinator gone
     * silent ({@link #COORDINATOR_GONE_AFTER} without a heartbeat before the end, or before now for an end to come): one killed
     * sends neither a completion nor any sign of its end.
     */
    private static final String RUNNING = """
            WITH coordinators AS (<coordinators>)
            SELECT query_id, query_pattern_hash, cluster_name, user_name, create_time
            FROM (<open>) o
            WHERE create_time >= :from AND create_time < CAST(:end AS timestamptz) - interval '1 minute' <cluster>
              AND NOT EXISTS (SELECT 1 FROM coordinators ended JOIN coordinators later USING (cluster_name)
                              WHERE ended.cluster_name = o.cluster_name AND ended.coordinator_id = right(o.query_id, 5)
                                AND later.first_start > ended.last_start)
              AND NOT EXISTS (SELECT 1 FROM lost_completions lost WHERE lost.query_id = o.query_id)
              AND NOT EXISTS (SELECT 1 FROM coordinator_heartbeats beat
                              WHERE beat.cluster_name = o.cluster_name AND beat.coordinator_id = right(o.query_id, 5)
                                AND beat.seen_at < least(CAST(:end AS timestamptz), now()) - CAST(:gone_after AS interval))
            """;

    private record Checked(Instant checkedAt, Instant coveredFrom) {}

    private OpenQueries() {}

    /** The queries open at {@code end}: of every cluster, or of {@code cluster} alone. */
    static List<RunningQueryFact> read(Handle handle, Instant end, Optional<String> cluster)
    {
        Instant from = end.minus(HORIZON);
        boolean kept = handle.inTransaction(transaction -> check(transaction, from));
        String open = kept ? "SELECT * FROM open_queries" : ALL_UNCOMPLETED;
        String coordinators = kept ? "SELECT * FROM query_coordinators" : COORDINATORS.replace("<inserted>", "AND create_time < :end");
        Map<String, Object> bindings = new HashMap<>(Map.of("from", Timestamp.from(from), "end", Timestamp.from(end),
                "gone_after", COORDINATOR_GONE_AFTER.toSeconds() + " seconds"));
        cluster.ifPresent(name -> bindings.put("cluster", name));
        return handle.createQuery(RUNNING.replace("<coordinators>", coordinators).replace("<open>", open)
                        .replace("<cluster>", cluster.isPresent() ? "AND cluster_name = :cluster" : ""))
                .bindMap(bindings)
                .map((rs, ctx) -> {
                    Instant created = rs.getTimestamp("create_time").toInstant();
                    return new RunningQueryFact(rs.getString("query_id"), rs.getString("query_pattern_hash"), rs.getString("cluster_name"),
                            rs.getString("user_name"), created, Duration.between(created, end).toMillis());
                })
                .list();
    }

    /**
     * Brings open_queries up to now for starts from {@code from} on: the first check fills it, later ones add the starts
     * inserted since the last (less the margin) and drop what completed. False when open_queries no longer covers
     * {@code from}: the caller reads directly.
     */
    private static boolean check(Handle handle, Instant from)
    {
        handle.execute("SELECT pg_advisory_xact_lock(hashtext('icetune_open_queries'))");
        Optional<Checked> last = handle.createQuery("SELECT checked_at, covered_from FROM open_queries_checked")
                .map((rs, ctx) -> new Checked(rs.getTimestamp("checked_at").toInstant(), rs.getTimestamp("covered_from").toInstant()))
                .findOne();
        if (last.isEmpty()) {
            handle.execute("DELETE FROM open_queries"); // what a check left, if someone emptied the record of it
            handle.execute("DELETE FROM query_coordinators");
            handle.createUpdate("INSERT INTO open_queries " + ALL_UNCOMPLETED).bind("from", Timestamp.from(from)).execute();
            handle.createUpdate("INSERT INTO query_coordinators " + COORDINATORS.replace("<inserted>", "")).bind("from", Timestamp.from(from)).execute();
            handle.createUpdate("INSERT INTO open_queries_checked (checked_at, covered_from) VALUES (now(), :from)").bind("from", Timestamp.from(from)).execute();
            return true;
        }
        Timestamp covered = Timestamp.from(last.get().coveredFrom());
        if (from.isBefore(last.get().coveredFrom())) {
            return false;
        }
        Timestamp since = Timestamp.from(last.get().checkedAt().minus(COMMIT_MARGIN));
        // the earliest start inserted since bounds the completions to look at (a journal replayed late makes it early); with none
        // inserted since, there is neither an open query nor a coordinator to add
        handle.createQuery("SELECT min(create_time) FROM query_starts WHERE inserted_at >= :since AND create_time >= :covered")
                .bind("since", since).bind("covered", covered)
                .mapTo(Timestamp.class).findOne()
                .ifPresent(earliest -> {
                    handle.createUpdate("INSERT INTO open_queries " + UNCOMPLETED.replace("<inserted>", "AND s.inserted_at >= :since") + "ON CONFLICT DO NOTHING")
                            .bind("from", earliest).bind("since", since).execute();
                    handle.createUpdate("INSERT INTO query_coordinators " + COORDINATORS.replace("<inserted>", "AND inserted_at >= :since") + """
                                    ON CONFLICT (cluster_name, coordinator_id) DO UPDATE
                                    SET first_start = least(query_coordinators.first_start, excluded.first_start), last_start = greatest(query_coordinators.last_start, excluded.last_start)""")
                            .bind("from", earliest).bind("since", since).execute();
                });
        handle.createUpdate("""
                        DELETE FROM open_queries o
                        WHERE EXISTS (SELECT 1 FROM query_logs l WHERE l.query_id = o.query_id AND l."timestamp" >= o.create_time AND l."timestamp" >= :covered)""")
                .bind("covered", covered).execute();
        // what the service's next evaluations read is kept, and a person's of an end up to a day before now
        handle.createUpdate("UPDATE open_queries_checked SET checked_at = now(), covered_from = greatest(covered_from, least(CAST(:from AS timestamptz), now() - CAST(:horizon AS interval)))")
                .bind("from", Timestamp.from(from)).bind("horizon", HORIZON.toSeconds() + " seconds").execute();
        handle.execute("DELETE FROM open_queries WHERE create_time < (SELECT covered_from FROM open_queries_checked)");
        handle.execute("DELETE FROM query_coordinators WHERE last_start < (SELECT covered_from FROM open_queries_checked)");
        return true;
    }
}
