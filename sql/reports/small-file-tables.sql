-- Tables read in many small files, last hour (runbook: "Too Many Small Files": high file scan count,
-- low bytes per file). Not scans of a table as it was (FOR VERSION AS OF): they read files it may no longer hold.
-- The table as recommendations name it: a part with a dot or a double quote double-quoted (iceberg."eu.sales".orders).
SELECT CASE WHEN strpos(catalog, '.') + strpos(catalog, '"') = 0 THEN catalog ELSE '"' || replace(catalog, '"', '""') || '"' END || '.'
       || CASE WHEN strpos(schema_name, '.') + strpos(schema_name, '"') = 0 THEN schema_name ELSE '"' || replace(schema_name, '"', '""') || '"' END || '.'
       || CASE WHEN strpos(table_name, '.') + strpos(table_name, '"') = 0 THEN table_name ELSE '"' || replace(table_name, '"', '""') || '"' END AS table_name,
       string_agg(DISTINCT cluster_name, ',') AS clusters,
       count(*) AS scans,
       round(avg(files_scanned), 1) AS avg_files_scanned,
       round(sum(bytes_scanned)::numeric / nullif(sum(files_scanned), 0) / 1048576.0, 3) AS avg_mb_per_file,
       max(total_data_files) AS total_data_files
FROM query_inputs
WHERE "timestamp" > now() - interval '1 hour' AND update_type IS NULL AND files_scanned IS NOT NULL AND reads_as_of IS NOT TRUE
  AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
GROUP BY catalog, schema_name, table_name
HAVING sum(bytes_scanned)::numeric / nullif(sum(files_scanned), 0) < 52428800 AND avg(files_scanned) >= 10
ORDER BY avg_files_scanned DESC;
