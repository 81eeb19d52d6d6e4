-- Predicate pushdown success rate per table, last hour: scans whose filter Trino pushed into the scan
-- (constraint columns) against scans that left a filter above it.
SELECT catalog || '.' || schema_name || '.' || table_name AS table_name,
       string_agg(DISTINCT cluster_name, ',') AS clusters,
       count(*) AS scans,
       count(*) FILTER (WHERE cardinality(constraint_columns) > 0) AS pushed_down,
       count(*) FILTER (WHERE filter_predicate IS NOT NULL) AS filtered_above_scan,
       round(100.0 * count(*) FILTER (WHERE cardinality(constraint_columns) > 0)
             / nullif(count(*) FILTER (WHERE cardinality(constraint_columns) > 0 OR filter_predicate IS NOT NULL), 0), 1) AS pushdown_success_pct
FROM query_inputs
WHERE "timestamp" > now() - interval '1 hour' AND update_type IS NULL AND files_scanned IS NOT NULL
  AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
GROUP BY 1
ORDER BY pushdown_success_pct NULLS FIRST, scans DESC;
