-- File scan efficiency per table, last hour: files scanned per query against the table's files, and how
-- much partition pruning (manifests skipped) and min/max pruning (pruning ratio) did.
SELECT catalog || '.' || schema_name || '.' || table_name AS table_name,
       string_agg(DISTINCT cluster_name, ',') AS clusters,
       count(*) AS scans,
       round(avg(files_scanned), 1) AS avg_files_scanned,
       max(total_data_files) AS total_data_files,
       round(avg(pruning_ratio)::numeric, 3) AS avg_pruning_ratio,
       round(avg(manifests_skipped), 1) AS avg_manifests_skipped,
       round(avg(bytes_scanned) / 1048576.0, 2) AS avg_mb_scanned
FROM query_inputs
WHERE "timestamp" > now() - interval '1 hour' AND update_type IS NULL AND files_scanned IS NOT NULL
  AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
GROUP BY 1
ORDER BY avg_files_scanned DESC;
