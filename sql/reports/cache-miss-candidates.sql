-- Queries repeated with identical text on unchanged snapshots within 5 minutes (runbook: 5 minute result
-- cache TTL), last hour: each repeat recomputed a result a cache could have served. Only queries with a
-- snapshot known for every table they read: a metadata table (t$files), a system table or another
-- connector's table ('-' in input_snapshots) may change under the same text.
-- An EXECUTE of a statement prepared by name is the same run only for the same statement (prepared_statement).
WITH runs AS (
    SELECT cluster_name, query_pattern_hash, query_pattern, query_text, input_snapshots, "timestamp",
           lag("timestamp") OVER (PARTITION BY cluster_name, md5(concat_ws('|', query_text, prepared_statement)), input_snapshots ORDER BY "timestamp") AS previous
    FROM query_logs
    WHERE "timestamp" > now() - interval '1 hour' AND update_type IS NULL AND success AND NOT query_text_truncated
      AND strpos(',' || input_snapshots || ',', ',-,') = 0
      AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name))
SELECT cluster_name, min(query_pattern) AS query_pattern, count(*) AS executions,
       count(*) FILTER (WHERE "timestamp" - previous <= interval '5 minutes') AS repeats_within_ttl
FROM runs
GROUP BY cluster_name, query_pattern_hash
HAVING count(*) FILTER (WHERE "timestamp" - previous <= interval '5 minutes') > 0
ORDER BY repeats_within_ttl DESC;
