-- Tables read in many small files, last hour (runbook: "Too Many Small Files": high file scan count,
-- low bytes per file). Not scans of a table as it was (FOR VERSION AS OF): they read files it may no longer hold.
-- A table's scans since its file count last fell in the hour (a compaction, icetune's or another engine's, or files
-- deleted): a table compacted leaves the report at its next scans, not an hour later.
-- The table as recommendations name it: a part with a dot or a double quote double-quoted (iceberg."eu.sales".orders).
WITH hour AS (
    SELECT *, total_data_files < lag(total_data_files) OVER (PARTITION BY catalog, schema_name, table_name ORDER BY "timestamp") AS files_fell
    FROM query_inputs
    WHERE "timestamp" > now() - interval '1 hour' AND reads_as_of IS NOT TRUE),
current AS (
    SELECT *, max(CASE WHEN files_fell THEN "timestamp" END) OVER (PARTITION BY catalog, schema_name, table_name) AS files_last_fell
    FROM hour)
SELECT CASE WHEN strpos(catalog, '.') + strpos(catalog, '"') = 0 THEN catalog ELSE '"' || replace(catalog, '"', '""') || '"' END || '.'
       || CASE WHEN strpos(schema_name, '.') + strpos(schema_name, '"') = 0 THEN schema_name ELSE '"' || replace(schema_name, '"', '""') || '"' END || '.'
       || CASE WHEN strpos(table_name, '.') + strpos(table_name, '"') = 0 THEN table_name ELSE '"' || replace(table_name, '"', '""') || '"' END AS table_name,
       string_agg(DISTINCT cluster_name, ',') AS clusters,
       count(*) AS scans,
       round(avg(files_scanned), 1) AS avg_files_scanned,
       round(sum(bytes_scanned)::numeric / nullif(sum(files_scanned), 0) / 1048576.0, 3) AS avg_mb_per_file,
       max(total_data_files) AS total_data_files
FROM current
WHERE ("timestamp" >= files_last_fell OR files_last_fell IS NULL) AND update_type IS NULL AND files_scanned IS NOT NULL
  AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
GROUP BY catalog, schema_name, table_name
HAVING sum(bytes_scanned)::numeric / nullif(sum(files_scanned), 0) < 52428800 AND avg(files_scanned) >= 10
ORDER BY avg_files_scanned DESC;
