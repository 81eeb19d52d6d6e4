-- The runbook's Query Pattern Analysis: the most expensive query patterns of the last hour, with the cluster that ran
-- them beside each. Every report runs over all clusters, or over one: `bin/icetune report NAME --cluster CLUSTER`,
-- or psql with PGOPTIONS='-c icetune.cluster=CLUSTER'. Not icetune's own statements (its fixes' rewrites, lint's EXPLAIN):
-- what to look into is the workload's, as evaluations read it.
SELECT
  cluster_name,
  query_pattern,
  avg(latency) as avg_latency,
  count(*) as frequency,
  sum(bytes_scanned) as total_bytes
FROM query_logs
WHERE timestamp > now() - interval '1 hour'
  AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
  AND source IS DISTINCT FROM 'icetune'
GROUP BY cluster_name, query_pattern
ORDER BY avg_latency DESC
LIMIT 10;
