-- p95 latency per pattern and cluster in the last hour against its previous 7 days (runbook alert: p95 > 2x baseline).
-- Not icetune's own statements (lint's EXPLAIN): what to look into is the workload's, as evaluations read it. A run canceled,
-- killed, abandoned by its client or ended by its server's stop counts as an execution, not in the latencies: its latency is
-- when it was ended.
WITH current_window AS (
    SELECT cluster_name, query_pattern_hash, min(query_pattern) AS query_pattern, count(*) AS executions,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) FILTER (WHERE error_code IS NULL
               OR error_code NOT IN ('USER_CANCELED', 'ADMINISTRATIVELY_KILLED', 'ADMINISTRATIVELY_PREEMPTED', 'ABANDONED_QUERY', 'SERVER_SHUTTING_DOWN')) AS p95_ms
    FROM query_logs WHERE "timestamp" > now() - interval '1 hour' AND update_type IS NULL AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
      AND source IS DISTINCT FROM 'icetune'
    GROUP BY cluster_name, query_pattern_hash),
baseline AS (
    SELECT cluster_name, query_pattern_hash, count(*) AS executions,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) FILTER (WHERE error_code IS NULL
               OR error_code NOT IN ('USER_CANCELED', 'ADMINISTRATIVELY_KILLED', 'ADMINISTRATIVELY_PREEMPTED', 'ABANDONED_QUERY', 'SERVER_SHUTTING_DOWN')) AS p95_ms
    FROM query_logs
    WHERE "timestamp" > now() - interval '1 hour' - interval '7 days' AND "timestamp" <= now() - interval '1 hour' AND update_type IS NULL
      AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
    GROUP BY cluster_name, query_pattern_hash)
SELECT c.cluster_name, c.query_pattern, c.executions, c.p95_ms, b.executions AS baseline_executions, b.p95_ms AS baseline_p95_ms,
       round((c.p95_ms / nullif(b.p95_ms, 0))::numeric, 2) AS ratio,
       coalesce(c.p95_ms > 2 * b.p95_ms, false) AS over_2x_baseline
FROM current_window c LEFT JOIN baseline b USING (cluster_name, query_pattern_hash)
ORDER BY ratio DESC NULLS LAST, c.p95_ms DESC;
