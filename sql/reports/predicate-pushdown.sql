-- Predicate pushdown success rate per table, last hour, of the scans with a filter: those Trino pushed into the scan as
-- partitions to read (constraint columns), and those whose filter, left above the scan, still skipped files (Iceberg
-- hands the connector such a filter too, and skips the files whose min/max statistics exclude it), against those that
-- read every file.
-- The table as recommendations name it: a part with a dot or a double quote double-quoted (iceberg."eu.sales".orders).
SELECT CASE WHEN strpos(catalog, '.') + strpos(catalog, '"') = 0 THEN catalog ELSE '"' || replace(catalog, '"', '""') || '"' END || '.'
       || CASE WHEN strpos(schema_name, '.') + strpos(schema_name, '"') = 0 THEN schema_name ELSE '"' || replace(schema_name, '"', '""') || '"' END || '.'
       || CASE WHEN strpos(table_name, '.') + strpos(table_name, '"') = 0 THEN table_name ELSE '"' || replace(table_name, '"', '""') || '"' END AS table_name,
       string_agg(DISTINCT cluster_name, ',') AS clusters,
       count(*) AS scans,
       count(*) FILTER (WHERE cardinality(constraint_columns) > 0) AS pushed_down,
       count(*) FILTER (WHERE filter_predicate IS NOT NULL) AS filtered_above_scan,
       count(*) FILTER (WHERE coalesce(cardinality(constraint_columns), 0) = 0 AND filter_predicate IS NOT NULL AND pruning_ratio < 1)
           AS skipped_by_file_statistics,
       round(100.0 * count(*) FILTER (WHERE cardinality(constraint_columns) > 0 OR (filter_predicate IS NOT NULL AND pruning_ratio < 1))
             / nullif(count(*) FILTER (WHERE cardinality(constraint_columns) > 0 OR filter_predicate IS NOT NULL), 0), 1) AS pushdown_success_pct
FROM query_inputs
WHERE "timestamp" > now() - interval '1 hour' AND update_type IS NULL AND files_scanned IS NOT NULL
  AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
GROUP BY catalog, schema_name, table_name
ORDER BY pushdown_success_pct NULLS FIRST, scans DESC;
