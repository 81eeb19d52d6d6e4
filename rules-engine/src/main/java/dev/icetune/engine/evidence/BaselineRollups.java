package dev.icetune.engine.evidence;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The baseline kept per pattern in pattern_rollups, so that an evaluation reads a 7-day baseline as rows per pattern and
 * period and at most two hours of queries, instead of every query of the 7 days: its complete UTC days, the complete
 * hours at either end of them, and the parts of hours at its two ends from query_logs. A period is rolled up by the
 * first evaluation that needs it, and again when rows of it arrive after it was rolled up (a listener's journal replayed
 * after an outage, rows loaded by hand): their inserted_at is later than the roll. A period is dropped once no
 * evaluation has read it for {@link #KEEP_UNREAD}.
 */
final class BaselineRollups
{
    enum Period
    {
        HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS);

        private final ChronoUnit unit;

        Period(ChronoUnit unit)
        {
            this.unit = unit;
        }

        /** As pattern_rollups.period holds it, and as date_bin takes it after "1 ". */
        String sql()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        Instant floor(Instant instant)
        {
            return instant.truncatedTo(unit);
        }

        Instant ceiling(Instant instant)
        {
            Instant floor = floor(instant);
            return floor.equals(instant) ? floor : floor.plus(unit.getDuration());
        }
    }

    /**
     * How a baseline [start, end) is read: hours [hoursFrom, daysFrom), days [daysFrom, daysTo), hours [daysTo, hoursTo)
     * from pattern_rollups; [start, hoursFrom) and [hoursTo, end) from query_logs. Empty ranges where the baseline is short.
     * The end is the window's start, which the evidence's SQL binds already.
     */
    record Plan(Instant start, Instant hoursFrom, Instant daysFrom, Instant daysTo, Instant hoursTo)
    {
        static Plan of(Instant start, Instant end)
        {
            Instant hoursFrom = Period.HOUR.ceiling(start);
            Instant hoursTo = Period.HOUR.floor(end);
            if (!hoursFrom.isBefore(hoursTo)) {
                return new Plan(start, end, end, end, end); // not one complete hour: all from query_logs
            }
            Instant daysFrom = Period.DAY.ceiling(hoursFrom);
            Instant daysTo = Period.DAY.floor(hoursTo);
            if (!daysFrom.isBefore(daysTo)) {
                return new Plan(start, hoursFrom, hoursTo, hoursTo, hoursTo); // hours only
            }
            return new Plan(start, hoursFrom, daysFrom, daysTo, hoursTo);
        }

        /** The plan's instants by the names the baseline's SQL binds. */
        Map<String, Object> bindings()
        {
            return Map.of("baseline_start", Timestamp.from(start), "hours_from", Timestamp.from(hoursFrom), "days_from", Timestamp.from(daysFrom),
                    "days_to", Timestamp.from(daysTo), "hours_to", Timestamp.from(hoursTo));
        }
    }

    /**
     * A transaction that started this long before a roll and committed after it could hide its rows from both the roll
     * and the next check; the listener's write transactions last milliseconds. Rows inserted this close before a roll
     * only make the period be rolled up once more, which is harmless.
     */
    static final Duration COMMIT_MARGIN = Duration.ofMinutes(5);

    /**
     * An evaluation reads its periods after checking them, a long window's read minutes later; one with another end (a
     * service's and a person's evaluate, an hour apart) reads other periods. A period is kept this long after its last check
     * by any evaluation, so that another's roll does not drop it from under that evaluation's read.
     */
    static final Duration KEEP_UNREAD = Duration.ofHours(1);

    /**
     * Rows of query_logs in the rollup's form, one per {@code <period>} (UTC), cluster and pattern: counts and sums, the
     * latencies as (value, count) pairs, exact below 10 s and to four significant digits above (merged percentiles then
     * match percentile_cont within 0.05%), of the runs not cut short ({@link EvidenceReader#CUT_SHORT}: a period of such runs alone
     * has none), and the distinct snapshot sets read, hashed. {@code <range>} selects the rows.
     */
    static final String ROLLED_UP = """
            WITH rows AS (
                SELECT date_bin('1 <period>', "timestamp", timestamptz 'epoch') AS starts, cluster_name, query_pattern_hash,
                       CASE WHEN <cut_short> THEN NULL WHEN latency < 10000 THEN latency ELSE round(latency::numeric, 3 - floor(log(latency::numeric))::int)::bigint END AS latency,
                       coalesce(files_scanned, 0) AS files, coalesce(bytes_scanned, 0) AS bytes, hashtextextended(input_snapshots, 0) AS snapshot_key
                FROM query_logs
                WHERE <range> AND update_type IS NULL AND query_pattern_hash IS NOT NULL <cluster>),
            patterns AS (
                SELECT starts, cluster_name, query_pattern_hash, count(*) AS executions, sum(files)::float8 AS files_scanned, sum(bytes)::float8 AS bytes_scanned,
                       coalesce(array_agg(DISTINCT snapshot_key) FILTER (WHERE snapshot_key IS NOT NULL), '{}') AS snapshot_keys
                FROM rows GROUP BY 1, 2, 3),
            latencies AS (
                SELECT starts, cluster_name, query_pattern_hash, array_agg(latency ORDER BY latency) AS latencies, array_agg(n ORDER BY latency) AS latency_counts
                FROM (SELECT starts, cluster_name, query_pattern_hash, latency, count(*) AS n FROM rows WHERE latency IS NOT NULL GROUP BY 1, 2, 3, 4) l
                GROUP BY 1, 2, 3)
            SELECT starts, cluster_name, query_pattern_hash, executions, files_scanned, bytes_scanned,
                   coalesce(latencies, '{}') AS latencies, coalesce(latency_counts, '{}') AS latency_counts, snapshot_keys
            FROM patterns LEFT JOIN latencies USING (starts, cluster_name, query_pattern_hash)
            """.replace("<cut_short>", EvidenceReader.CUT_SHORT);

    /** SQL: the periods of pattern_rollups (or pattern_rollups_rolled) that a {@link Plan}'s bindings read. */
    static final String READ = """
            (period = 'hour' AND (starts >= :hours_from AND starts < :days_from OR starts >= :days_to AND starts < :hours_to)
             OR period = 'day' AND starts >= :days_from AND starts < :days_to)""";

    /** Periods of [:from, :to) not rolled up yet, or with rows inserted since their roll (less the margin). */
    private static final String STALE = """
            SELECT g.starts FROM generate_series(CAST(:from AS timestamptz), CAST(:to AS timestamptz) - interval '1 <period>', interval '1 <period>') AS g(starts)
            WHERE NOT EXISTS (SELECT 1 FROM pattern_rollups_rolled r WHERE r.period = :period AND r.starts = g.starts)
            UNION
            SELECT DISTINCT r.starts
            FROM query_logs l JOIN pattern_rollups_rolled r ON r.period = :period AND r.starts = date_bin('1 <period>', l."timestamp", timestamptz 'epoch')
            WHERE l."timestamp" >= :from AND l."timestamp" < :to AND l.inserted_at >= :since AND l.inserted_at >= r.rolled_at - CAST(:margin AS interval)
            """;

    private final Jdbi jdbi;

    BaselineRollups(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /**
     * Rolls up what {@code plan} reads from pattern_rollups and is missing or stale, a period at a time, and drops the periods
     * no evaluation has read for {@link #KEEP_UNREAD}: every period read is checked for late rows by each evaluation, against
     * the rows inserted since the oldest check of those periods (a service checks them every hour), which the BRIN index on
     * inserted_at finds without reading the days before. A day's hours are rolled up again when they come to be read, at
     * the baseline's start.
     *
     * <p>Each period commits on its own: the first roll over a long history takes minutes, and one cut short (the database
     * restarted, the connection killed, the service stopped) keeps the periods it finished; the next roll does the rest.
     */
    void roll(Plan plan, Consumer<String> progress)
    {
        jdbi.useHandle(handle -> {
            // one roll at a time; another waits, then finds the periods done. A session lock, held across the periods'
            // transactions and released with the connection if the roll is cut short
            handle.execute("SELECT pg_advisory_lock(hashtext('icetune_pattern_rollups'))");
            try {
                handle.execute("SET work_mem = '256MB'");
                Stale stale = handle.inTransaction(transaction -> stale(transaction, plan));
                if (stale.isEmpty()) {
                    return;
                }
                progress.accept("rolling up the baseline's queries (days: %d, hours: %d) for this and later evaluations"
                        .formatted(stale.days().size(), stale.hours().size()));
                stale.days().forEach(day -> handle.useTransaction(transaction -> roll(transaction, Period.DAY, day, stale.checkedAt())));
                stale.hours().forEach(hour -> handle.useTransaction(transaction -> roll(transaction, Period.HOUR, hour, stale.checkedAt())));
                // the evidence read that follows joins the rollups to the window's patterns: its plan needs their size now, not at
                // autovacuum's next visit
                handle.execute("ANALYZE pattern_rollups");
            }
            finally {
                unlock(handle);
            }
        });
    }

    private static void unlock(Handle handle)
    {
        try {
            handle.execute("SELECT pg_advisory_unlock(hashtext('icetune_pattern_rollups'))");
        }
        catch (RuntimeException e) {
            // the connection is gone, and its lock with it: what cut the roll short is the error to report
        }
    }

    /** The periods to roll up, and the time of the check that found them: each period's roll is recorded as of then. */
    private record Stale(List<Instant> days, List<Instant> hours, Timestamp checkedAt)
    {
        boolean isEmpty()
        {
            return days.isEmpty() && hours.isEmpty();
        }
    }

    /**
     * Drops what no evaluation has read for a while, finds what the plan reads that is missing or stale, and records the
     * rest as checked now. A stale period's record of its last roll goes in the same transaction: until it is rolled up
     * again, it is missing, whenever the next check runs.
     */
    private static Stale stale(Handle handle, Plan plan)
    {
        handle.createUpdate("DELETE FROM pattern_rollups_rolled WHERE NOT (" + READ + ") AND checked_at < now() - CAST(:keep AS interval)")
                .bindMap(plan.bindings()).bind("keep", KEEP_UNREAD.toSeconds() + " seconds").execute();
        // with the rows of periods no longer recorded: those dropped, and those a roll cut short left stale
        handle.createUpdate("DELETE FROM pattern_rollups p WHERE NOT (" + READ + ") AND NOT EXISTS "
                        + "(SELECT 1 FROM pattern_rollups_rolled r WHERE r.period = p.period AND r.starts = p.starts)")
                .bindMap(plan.bindings()).execute();
        // rows inserted since the oldest check of a period read (less the margin) are the only ones a check has not seen
        Optional<Timestamp> since = handle.createQuery("SELECT min(checked_at) FROM pattern_rollups_rolled WHERE " + READ)
                .bindMap(plan.bindings()).mapTo(Timestamp.class).findOne()
                .map(checked -> Timestamp.from(checked.toInstant().minus(COMMIT_MARGIN)));
        List<Instant> days = stale(handle, Period.DAY, plan.daysFrom(), plan.daysTo(), since);
        List<Instant> hours = new ArrayList<>(stale(handle, Period.HOUR, plan.hoursFrom(), plan.daysFrom(), since));
        hours.addAll(stale(handle, Period.HOUR, plan.daysTo(), plan.hoursTo(), since));
        forget(handle, Period.DAY, days);
        forget(handle, Period.HOUR, hours);
        handle.createUpdate("UPDATE pattern_rollups_rolled SET checked_at = now() WHERE " + READ).bindMap(plan.bindings()).execute();
        return new Stale(days, hours, handle.createQuery("SELECT now()").mapTo(Timestamp.class).one());
    }

    private static void forget(Handle handle, Period period, List<Instant> periods)
    {
        if (!periods.isEmpty()) {
            handle.createUpdate("DELETE FROM pattern_rollups_rolled WHERE period = :period AND starts IN (<starts>)")
                    .bind("period", period.sql()).bindList("starts", periods.stream().map(Timestamp::from).toList()).execute();
        }
    }

    /** The periods of [{@code from}, {@code to}) not rolled up yet, or with rows inserted after their roll since {@code since}. */
    private static List<Instant> stale(Handle handle, Period period, Instant from, Instant to, Optional<Timestamp> since)
    {
        if (!from.isBefore(to)) {
            return List.of();
        }
        return handle.createQuery(STALE.replace("<period>", period.sql()))
                .bind("period", period.sql()).bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to))
                .bind("since", since.orElse(Timestamp.from(to))).bind("margin", COMMIT_MARGIN.toSeconds() + " seconds")
                .mapTo(Timestamp.class).map(Timestamp::toInstant).list();
    }

    /** One period rolled up anew, recorded as of {@code checkedAt}: one at a time, so that each sort stays in memory. */
    private static void roll(Handle handle, Period period, Instant starts, Timestamp checkedAt)
    {
        Map<String, Object> bindings = Map.of("period", period.sql(), "starts", Timestamp.from(starts), "checked_at", checkedAt);
        handle.createUpdate("DELETE FROM pattern_rollups WHERE period = :period AND starts = :starts").bindMap(bindings).execute();
        handle.createUpdate("INSERT INTO pattern_rollups (starts, cluster_name, query_pattern_hash, executions, files_scanned, bytes_scanned, latencies, "
                        + "latency_counts, snapshot_keys, period) SELECT *, :period FROM ("
                        + ROLLED_UP.replace("<period>", period.sql())
                                .replace("<range>", "\"timestamp\" >= :starts AND \"timestamp\" < CAST(:starts AS timestamptz) + interval '1 " + period.sql() + "'")
                                .replace("<cluster>", "")
                        + ") rolled")
                .bindMap(bindings).execute();
        handle.createUpdate("INSERT INTO pattern_rollups_rolled (period, starts, rolled_at, checked_at) VALUES (:period, :starts, :checked_at, :checked_at) "
                        + "ON CONFLICT (period, starts) DO UPDATE SET rolled_at = excluded.rolled_at, checked_at = excluded.checked_at")
                .bindMap(bindings).execute();
    }
}
