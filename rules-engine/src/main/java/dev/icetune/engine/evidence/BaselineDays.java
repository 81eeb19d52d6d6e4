package dev.icetune.engine.evidence;

import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The baseline's complete days, kept per pattern in pattern_days, so that an evaluation reads a 7-day baseline as a row
 * per pattern and day and one day of queries (the parts of days at its two ends) instead of every query of the 7 days.
 * A day is rolled up by the first evaluation that needs it, and again when rows of it arrive after it was rolled up (a
 * listener's journal replayed after an outage, rows loaded by hand): their inserted_at is later than the roll.
 */
final class BaselineDays
{
    private static final Duration DAY = Duration.ofDays(1);

    /**
     * A transaction that started this long before a roll and committed after it could hide its rows from both the roll
     * and the next check; the listener's write transactions last milliseconds. Rows inserted this close before a roll
     * only make the day be rolled up once more, which is harmless.
     */
    static final Duration COMMIT_MARGIN = Duration.ofMinutes(5);

    /**
     * Rows of query_logs in the rollup's form, one per UTC day, cluster and pattern: counts and sums, the latencies as
     * (value, count) pairs, exact below 10 s and to four significant digits above (merged percentiles then match
     * percentile_cont within 0.05%), and the distinct snapshot sets read, hashed. {@code <range>} selects the rows.
     */
    static final String DAILY = """
            WITH rows AS (
                SELECT date_bin('1 day', "timestamp", timestamptz 'epoch') AS day, cluster_name, query_pattern_hash,
                       CASE WHEN latency < 10000 THEN latency ELSE round(latency::numeric, 3 - floor(log(latency::numeric))::int)::bigint END AS latency,
                       coalesce(files_scanned, 0) AS files, coalesce(bytes_scanned, 0) AS bytes, hashtextextended(input_snapshots, 0) AS snapshot_key
                FROM query_logs
                WHERE <range> AND update_type IS NULL AND query_pattern_hash IS NOT NULL <cluster>),
            patterns AS (
                SELECT day, cluster_name, query_pattern_hash, count(*) AS executions, sum(files)::float8 AS files_scanned, sum(bytes)::float8 AS bytes_scanned,
                       coalesce(array_agg(DISTINCT snapshot_key) FILTER (WHERE snapshot_key IS NOT NULL), '{}') AS snapshot_keys
                FROM rows GROUP BY 1, 2, 3),
            latencies AS (
                SELECT day, cluster_name, query_pattern_hash, array_agg(latency ORDER BY latency) AS latencies, array_agg(n ORDER BY latency) AS latency_counts
                FROM (SELECT day, cluster_name, query_pattern_hash, latency, count(*) AS n FROM rows GROUP BY 1, 2, 3, 4) l
                GROUP BY 1, 2, 3)
            SELECT day, cluster_name, query_pattern_hash, executions, files_scanned, bytes_scanned, latencies, latency_counts, snapshot_keys
            FROM patterns JOIN latencies USING (day, cluster_name, query_pattern_hash)
            """;

    /** Days of [:from, :to) not rolled up yet, or with rows inserted since their roll (less the margin). */
    private static final String STALE = """
            SELECT g.day FROM generate_series(CAST(:from AS timestamptz), CAST(:to AS timestamptz) - interval '1 day', interval '1 day') AS g(day)
            WHERE NOT EXISTS (SELECT 1 FROM pattern_days_rolled r WHERE r.day = g.day)
            UNION
            SELECT DISTINCT r.day
            FROM query_logs l JOIN pattern_days_rolled r ON r.day = date_bin('1 day', l."timestamp", timestamptz 'epoch')
            WHERE l."timestamp" >= :from AND l."timestamp" < :to AND l.inserted_at >= :since AND l.inserted_at >= r.rolled_at - CAST(:margin AS interval)
            """;

    private final Jdbi jdbi;

    BaselineDays(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /** The first UTC midnight at or after {@code instant}. */
    static Instant dayAtOrAfter(Instant instant)
    {
        Instant day = instant.truncatedTo(ChronoUnit.DAYS);
        return day.equals(instant) ? day : day.plus(DAY);
    }

    /** Rolls up the days of [{@code from}, {@code to}) (whole UTC days) that are missing or stale; keeps as many days again before them. */
    void roll(Instant from, Instant to)
    {
        if (!from.isBefore(to)) {
            return;
        }
        jdbi.useTransaction(handle -> {
            // one evaluation rolls up at a time; another waits, then finds the days done
            handle.execute("SELECT pg_advisory_xact_lock(hashtext('icetune_pattern_days'))");
            handle.execute("SET LOCAL work_mem = '256MB'");
            // a bound the planner sees, so that the check reads only the blocks inserted since (the BRIN index on inserted_at)
            Timestamp since = handle.createQuery("SELECT min(rolled_at) FROM pattern_days_rolled WHERE day >= :from AND day < :to")
                    .bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to))
                    .mapTo(Timestamp.class).findOne().map(rolled -> Timestamp.from(rolled.toInstant().minus(COMMIT_MARGIN))).orElse(Timestamp.from(to));
            List<Timestamp> stale = handle.createQuery(STALE)
                    .bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to)).bind("since", since).bind("margin", COMMIT_MARGIN.toSeconds() + " seconds")
                    .mapTo(Timestamp.class).list();
            if (!stale.isEmpty()) {
                // bound as text: Jdbi has no array type for timestamps
                String days = "{" + String.join(",", stale.stream().map(day -> day.toInstant().toString()).toList()) + "}";
                handle.createUpdate("DELETE FROM pattern_days WHERE day = ANY(CAST(:days AS timestamptz[]))").bind("days", days).execute();
                handle.createUpdate("INSERT INTO pattern_days (day, cluster_name, query_pattern_hash, executions, files_scanned, bytes_scanned, latencies, "
                                + "latency_counts, snapshot_keys) "
                                + DAILY.replace("<range>", "\"timestamp\" >= :first AND \"timestamp\" < CAST(:last AS timestamptz) + interval '1 day' "
                                        + "AND date_bin('1 day', \"timestamp\", timestamptz 'epoch') = ANY(CAST(:days AS timestamptz[]))").replace("<cluster>", ""))
                        .bind("first", stale.stream().min(Timestamp::compareTo).orElseThrow()).bind("last", stale.stream().max(Timestamp::compareTo).orElseThrow())
                        .bind("days", days).execute();
                handle.createUpdate("INSERT INTO pattern_days_rolled (day, rolled_at) SELECT unnest(CAST(:days AS timestamptz[])), now() "
                                + "ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at")
                        .bind("days", days).execute();
            }
            // another evaluation may look further back (a longer baseline given once): as many days again are kept
            Timestamp keep = Timestamp.from(from.minus(Duration.between(from, to)));
            handle.createUpdate("DELETE FROM pattern_days WHERE day < :keep").bind("keep", keep).execute();
            handle.createUpdate("DELETE FROM pattern_days_rolled WHERE day < :keep").bind("keep", keep).execute();
        });
    }
}
