-- The runbook's Query Pattern Analysis, verbatim: the most expensive query patterns of the last hour.
SELECT
  query_pattern,
  avg(latency) as avg_latency,
  count(*) as frequency,
  sum(bytes_scanned) as total_bytes
FROM query_logs
WHERE timestamp > now() - interval '1 hour'
GROUP BY query_pattern
ORDER BY avg_latency DESC
LIMIT 10;
