package dev.icetune.engine.evidence;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;

import static java.util.Objects.requireNonNull;

/**
 * The baseline of the window's patterns, per cluster and pattern: the rolled-up periods of a {@link BaselineRollups.Plan}
 * (pattern_rollups) merged per pattern, and the parts of hours at the baseline's two ends read from query_logs.
 *
 * <p>The merged periods are kept between evaluations while they stay as they were: the same periods, none rolled up
 * again since (by this evaluator or another). A service evaluating every 5 minutes so merges a pattern's 7 days once an
 * hour, when the baseline's hours move on, instead of at every evaluation, where the merge was a third of the reads.
 * Only the patterns of the last window are kept, so the memory held is that of the baseline the window compares with.
 */
final class PatternBaselines
{
    /** A pattern's baseline: latencies in milliseconds, files and bytes per execution, the distinct snapshot sets read. */
    record Baseline(long executions, double p50, double p95, double files, double bytes, long snapshots)
    {
        static final Baseline NONE = new Baseline(0, 0, 0, 0, 0, 0);
    }

    record PatternKey(String cluster, String hash) {}

    /** The periods read, each with its last roll: the periods merged and kept are these, as they were then. */
    private static final String ROLLS = """
            SELECT coalesce(string_agg(period || ' ' || starts || ' ' || rolled_at, ',' ORDER BY period, starts), '')
            FROM pattern_rollups_rolled WHERE <read>
            """.replace("<read>", BaselineRollups.READ);

    /** The window's patterns, as the pattern read finds them. */
    private static final String WINDOW_PATTERNS = """
            SELECT DISTINCT cluster_name, query_pattern_hash FROM query_logs
            WHERE "timestamp" >= :start AND "timestamp" < :end AND update_type IS NULL AND query_pattern_hash IS NOT NULL <cluster>
            """;

    private static final String ROLLED_UP = """
            SELECT cluster_name, query_pattern_hash, executions, files_scanned, bytes_scanned, latencies, latency_counts, snapshot_keys
            FROM pattern_rollups WHERE <read> AND query_pattern_hash = ANY(:hashes) <cluster>
            """.replace("<read>", BaselineRollups.READ);

    /** The parts of hours at the baseline's two ends, in the rollups' form; the baseline ends where the window starts. */
    private static final String EDGES = BaselineRollups.ROLLED_UP.replace("<period>", "hour")
            .replace("<range>", "(\"timestamp\" >= :baseline_start AND \"timestamp\" < :hours_from OR \"timestamp\" >= :hours_to AND \"timestamp\" < :start)");

    private final Jdbi jdbi;
    private Optional<String> keptCluster = Optional.empty();
    private String keptRolls;
    /** The merged periods of the last window's patterns, a pattern without any as {@link Part#NONE}. */
    private Map<PatternKey, Part> kept = Map.of();

    PatternBaselines(Jdbi jdbi)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /**
     * What {@link #begin} read, for its {@code bindings} and {@code cluster}: the periods' rolls, the edges, and the window's
     * patterns' merged periods unless those kept serve.
     */
    record Started(Map<String, Object> bindings, Optional<String> cluster, String rolls, Map<PatternKey, Part> edges, Optional<Set<PatternKey>> window,
            Map<PatternKey, Part> rolledUp) {}

    /**
     * Starts reading the baseline of the window {@code inWindow} binds (start, end, cluster), as {@code plan} reads it (its
     * periods rolled up already), beside the window's own reads: the parts of hours at its ends, and, unless the periods are
     * those kept, every window pattern's merged periods.
     */
    Started begin(BaselineRollups.Plan plan, Map<String, Object> inWindow, Optional<String> cluster)
    {
        Map<String, Object> bindings = new HashMap<>(plan.bindings());
        bindings.putAll(inWindow);
        return inSnapshot(handle -> {
            String rolls = handle.createQuery(ROLLS).bindMap(bindings).mapTo(String.class).one();
            Map<PatternKey, Part> edges = parts(handle.createQuery(EDGES.replace("<cluster>", onCluster(cluster))).bindMap(bindings));
            if (isKept(rolls, cluster)) {
                return new Started(bindings, cluster, rolls, edges, Optional.empty(), Map.of());
            }
            Set<PatternKey> window = Set.copyOf(handle.createQuery(WINDOW_PATTERNS.replace("<cluster>", onCluster(cluster))).bindMap(bindings)
                    .map((rs, ctx) -> key(rs)).list());
            return new Started(bindings, cluster, rolls, edges, Optional.of(window), rolledUp(handle, bindings, cluster, window));
        });
    }

    /**
     * The baseline of {@code patterns}, those of the window {@code started} began with; patterns without a baseline are
     * left out. Keeps the merged periods of these patterns for the next evaluation.
     */
    synchronized Map<PatternKey, Baseline> finish(Started started, Set<PatternKey> patterns)
    {
        Optional<String> cluster = started.cluster();
        Map<PatternKey, Part> merged = new HashMap<>();
        if (started.window().isPresent()) {
            merged.putAll(started.rolledUp());
        }
        else if (isKept(started.rolls(), cluster)) {
            merged.putAll(kept);
        }
        Set<PatternKey> known = started.window().orElse(merged.keySet());
        String rolls = started.rolls();
        Set<PatternKey> missing = new HashSet<>(patterns);
        missing.removeAll(known);
        if (!missing.isEmpty()) {
            // patterns the window's read found beside those the baseline's did (rows written in between), or kept periods that
            // changed under an evaluation of another end on this reader: read, in a snapshot of their own
            Map.Entry<String, Map<PatternKey, Part>> read = inSnapshot(handle -> {
                String now = handle.createQuery(ROLLS).bindMap(started.bindings()).mapTo(String.class).one();
                return Map.entry(now, rolledUp(handle, started.bindings(), cluster, now.equals(started.rolls()) ? missing : patterns));
            });
            if (!read.getKey().equals(rolls)) {
                merged.clear();
                rolls = read.getKey();
            }
            merged.putAll(read.getValue());
        }
        merged.keySet().retainAll(patterns);
        // a pattern without rolled-up periods is kept too, so that it is not looked for again
        patterns.forEach(pattern -> merged.putIfAbsent(pattern, Part.NONE));
        keptRolls = rolls;
        keptCluster = cluster;
        kept = Map.copyOf(merged);

        Map<PatternKey, Baseline> baselines = new HashMap<>();
        merged.forEach((pattern, part) -> {
            Part withEdges = started.edges().containsKey(pattern) ? part.plus(started.edges().get(pattern)) : part;
            if (withEdges.executions() > 0) {
                baselines.put(pattern, withEdges.baseline());
            }
        });
        return baselines;
    }

    private synchronized boolean isKept(String rolls, Optional<String> cluster)
    {
        return rolls.equals(keptRolls) && cluster.equals(keptCluster);
    }

    private static String onCluster(Optional<String> cluster)
    {
        return cluster.isPresent() ? "AND cluster_name = :cluster" : "";
    }

    /** In one snapshot: the periods' rolls and the rows merged are of the same moment. */
    private <T> T inSnapshot(HandleCallback<T, RuntimeException> callback)
    {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, handle -> {
            handle.execute("SET LOCAL work_mem = '256MB'");
            return callback.withHandle(handle);
        });
    }

    private static Map<PatternKey, Part> rolledUp(Handle handle, Map<String, Object> bindings, Optional<String> cluster, Set<PatternKey> patterns)
    {
        if (patterns.isEmpty()) {
            return Map.of();
        }
        Map<PatternKey, Part> parts = parts(handle.createQuery(ROLLED_UP.replace("<cluster>", onCluster(cluster))).bindMap(bindings)
                .bindArray("hashes", String.class, patterns.stream().map(PatternKey::hash).distinct().toList()));
        parts.keySet().retainAll(patterns);
        return parts;
    }

    /** Rows in the rollups' form merged per pattern. */
    private static Map<PatternKey, Part> parts(Query query)
    {
        Map<PatternKey, Part> parts = new HashMap<>();
        query.map((rs, ctx) -> Map.entry(key(rs), Part.of(rs))).forEach(row -> parts.merge(row.getKey(), row.getValue(), Part::plus));
        return parts;
    }

    private static PatternKey key(ResultSet rs)
            throws SQLException
    {
        return new PatternKey(rs.getString("cluster_name"), rs.getString("query_pattern_hash"));
    }

    /**
     * Periods of one pattern merged: counts and sums, the latencies as (value, count) pairs sorted by value, and the
     * distinct snapshot keys sorted.
     */
    record Part(long executions, double files, double bytes, long[] latencies, long[] counts, long[] snapshotKeys)
    {
        static final Part NONE = new Part(0, 0, 0, new long[0], new long[0], new long[0]);

        static Part of(ResultSet rs)
                throws SQLException
        {
            return new Part(rs.getLong("executions"), rs.getDouble("files_scanned"), rs.getDouble("bytes_scanned"),
                    longs(rs.getString("latencies")), longs(rs.getString("latency_counts")), LongStream.of(longs(rs.getString("snapshot_keys"))).sorted().toArray());
        }

        /**
         * A bigint[] in PostgreSQL's text form, {1,-2,3}: read as text and parsed here, as the driver's arrays box every
         * element, and an evaluation that merges anew reads some 400,000 rows of three arrays each.
         */
        static long[] longs(String array)
        {
            if (array.length() <= 2) {
                return new long[0];
            }
            long[] longs = new long[(int) array.chars().filter(c -> c == ',').count() + 1];
            int n = 0;
            long value = 0;
            boolean negative = false;
            for (int i = 1; i < array.length(); i++) {
                char c = array.charAt(i);
                if (c == ',' || c == '}') {
                    longs[n++] = negative ? -value : value;
                    value = 0;
                    negative = false;
                }
                else if (c == '-') {
                    negative = true;
                }
                else {
                    value = value * 10 + (c - '0');
                }
            }
            return longs;
        }

        Part plus(Part other)
        {
            // both sorted: one pass, the counts of a latency in both added
            long[] mergedLatencies = new long[latencies.length + other.latencies.length];
            long[] mergedCounts = new long[mergedLatencies.length];
            int i = 0;
            int j = 0;
            int n = 0;
            while (i < latencies.length || j < other.latencies.length) {
                if (j == other.latencies.length || i < latencies.length && latencies[i] < other.latencies[j]) {
                    mergedLatencies[n] = latencies[i];
                    mergedCounts[n++] = counts[i++];
                }
                else if (i == latencies.length || other.latencies[j] < latencies[i]) {
                    mergedLatencies[n] = other.latencies[j];
                    mergedCounts[n++] = other.counts[j++];
                }
                else {
                    mergedLatencies[n] = latencies[i];
                    mergedCounts[n++] = counts[i++] + other.counts[j++];
                }
            }
            long[] keys = LongStream.concat(LongStream.of(snapshotKeys), LongStream.of(other.snapshotKeys)).sorted().distinct().toArray();
            return new Part(executions + other.executions, files + other.files, bytes + other.bytes,
                    Arrays.copyOf(mergedLatencies, n), Arrays.copyOf(mergedCounts, n), keys);
        }

        Baseline baseline()
        {
            return new Baseline(executions, percentile(0.5), percentile(0.95), files / executions, bytes / executions, snapshotKeys.length);
        }

        /**
         * As percentile_cont: the latencies at the floor and the ceiling of the rank p * (N - 1), counted from 0, interpolated; 0 (no
         * baseline, as the rules read it) where every run was cut short.
         */
        private double percentile(double p)
        {
            long total = LongStream.of(counts).sum();
            if (total == 0) {
                return 0;
            }
            double rank = p * (total - 1);
            double low = latencyAt((long) Math.floor(rank));
            double high = latencyAt((long) Math.ceil(rank));
            return low + (rank - Math.floor(rank)) * (high - low);
        }

        private long latencyAt(long index)
        {
            long upTo = 0;
            for (int i = 0; i < latencies.length; i++) {
                upTo += counts[i];
                if (upTo > index) {
                    return latencies[i];
                }
            }
            throw new IllegalStateException("no latency at " + index + " of " + upTo);
        }
    }
}
