package dev.icetune.engine.evidence;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;

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
    record Baseline(long executions, double p50, double p95, double files, double bytes, long snapshots) {}

    record PatternKey(String cluster, String hash) {}

    /** The periods read, each with its last roll: the periods merged and kept are these, as they were then. */
    private static final String ROLLS = """
            SELECT coalesce(string_agg(period || ' ' || starts || ' ' || rolled_at, ',' ORDER BY period, starts), '')
            FROM pattern_rollups_rolled WHERE <read>
            """.replace("<read>", BaselineRollups.READ);

    private static final String ROLLED_UP = """
            SELECT cluster_name, query_pattern_hash, executions, files_scanned, bytes_scanned, latencies, latency_counts, snapshot_keys
            FROM pattern_rollups WHERE <read> AND query_pattern_hash = ANY(:hashes) <cluster>
            """.replace("<read>", BaselineRollups.READ);

    private static final String EDGES = BaselineRollups.ROLLED_UP.replace("<period>", "hour")
            .replace("<range>", "(\"timestamp\" >= :baseline_start AND \"timestamp\" < :hours_from OR \"timestamp\" >= :hours_to AND \"timestamp\" < :end)");

    private Optional<String> keptCluster = Optional.empty();
    private String keptRolls;
    private Map<PatternKey, Part> kept = Map.of();

    /**
     * The baseline of {@code patterns} before {@code end} (the window's start), as {@code plan} reads it (its periods rolled up already), of
     * every cluster or of {@code cluster} alone; patterns without a baseline are left out.
     */
    synchronized Map<PatternKey, Baseline> read(Jdbi jdbi, BaselineRollups.Plan plan, Instant end, Optional<String> cluster, Set<PatternKey> patterns)
    {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, handle -> {
            // one snapshot: the periods' rolls and the rows merged are of the same moment
            handle.execute("SET LOCAL work_mem = '256MB'");
            Map<String, Object> bindings = new HashMap<>(plan.bindings());
            bindings.put("end", Timestamp.from(end));
            cluster.ifPresent(name -> bindings.put("cluster", name));
            String onCluster = cluster.isPresent() ? "AND cluster_name = :cluster" : "";

            String rolls = handle.createQuery(ROLLS).bindMap(bindings).mapTo(String.class).one();
            Map<PatternKey, Part> merged = new HashMap<>();
            if (rolls.equals(keptRolls) && cluster.equals(keptCluster)) {
                patterns.forEach(pattern -> {
                    Part part = kept.get(pattern);
                    if (part != null) {
                        merged.put(pattern, part);
                    }
                });
            }
            List<String> missing = patterns.stream().filter(pattern -> !merged.containsKey(pattern)).map(PatternKey::hash).distinct().toList();
            if (!missing.isEmpty()) {
                handle.createQuery(ROLLED_UP.replace("<cluster>", onCluster)).bindMap(bindings).bindArray("hashes", String.class, missing)
                        .map((rs, ctx) -> Map.entry(key(rs), Part.of(rs)))
                        .forEach(row -> {
                            if (patterns.contains(row.getKey())) {
                                merged.merge(row.getKey(), row.getValue(), Part::plus);
                            }
                        });
                // a pattern without rolled-up periods is kept too, so that it is not looked for again
                patterns.forEach(pattern -> merged.putIfAbsent(pattern, Part.NONE));
            }
            keptRolls = rolls;
            keptCluster = cluster;
            kept = Map.copyOf(merged);

            Map<PatternKey, Part> withEdges = new HashMap<>(merged);
            handle.createQuery(EDGES.replace("<cluster>", onCluster)).bindMap(bindings)
                    .map((rs, ctx) -> Map.entry(key(rs), Part.of(rs)))
                    .forEach(row -> {
                        if (patterns.contains(row.getKey())) {
                            withEdges.merge(row.getKey(), row.getValue(), Part::plus);
                        }
                    });
            Map<PatternKey, Baseline> baselines = new HashMap<>();
            withEdges.forEach((pattern, part) -> {
                if (part.executions() > 0) {
                    baselines.put(pattern, part.baseline());
                }
            });
            return baselines;
        });
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
    private record Part(long executions, double files, double bytes, long[] latencies, long[] counts, long[] snapshotKeys)
    {
        static final Part NONE = new Part(0, 0, 0, new long[0], new long[0], new long[0]);

        static Part of(ResultSet rs)
                throws SQLException
        {
            return new Part(rs.getLong("executions"), rs.getDouble("files_scanned"), rs.getDouble("bytes_scanned"),
                    longs(rs.getArray("latencies")), longs(rs.getArray("latency_counts")), LongStream.of(longs(rs.getArray("snapshot_keys"))).sorted().toArray());
        }

        private static long[] longs(Array array)
                throws SQLException
        {
            Object[] values = (Object[]) array.getArray();
            long[] longs = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                longs[i] = ((Number) values[i]).longValue();
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

        /** As percentile_cont: the latencies at the floor and the ceiling of the rank p * (N - 1), counted from 0, interpolated. */
        private double percentile(double p)
        {
            long total = LongStream.of(counts).sum();
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
