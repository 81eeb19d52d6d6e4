-- Estimates against measurements: for every fix whose effect was measured, what icetune estimated one of its own
-- queries would read after the fix, what they did read, and the measured saving over the estimated one (1 = exact,
-- 0.5 = half the estimated saving); bytes are those the fix saves: opened, read for a bloom filter, or of metadata for a
-- snapshot expiry (bytes_are); for statistics, the share of filtered scans whose rows the planner misestimated;
-- measured_with names the fixes applied with it, whose effects shared its queries.
-- Run with psql or `bin/icetune report estimate-accuracy`.
SELECT r.id,
       r.rule_id,
       coalesce(CASE WHEN r.target_type = 'PATTERN' THEN left(r.target, 8) || ' ' || (r.evidence ->> 'query') END, r.target) AS target,
       array_to_string(r.clusters, ',') AS clusters,
       r.measured_effect ->> 'verdict' AS verdict,
       r.estimate ->> 'scope' AS scope,
       r.measured_effect ->> 'measured_with' AS measured_with,
       round((r.measured_effect ->> 'own_files_per_query_before')::numeric, 1) AS files_before,
       round((r.estimate ->> 'files_per_query_after')::numeric, 1) AS files_after_estimated,
       round((r.measured_effect ->> 'own_files_per_query_after')::numeric, 1) AS files_after_measured,
       round((r.measured_effect ->> 'own_bytes_per_query_before')::numeric) AS bytes_before,
       round((r.estimate ->> 'bytes_per_query_after')::numeric) AS bytes_after_estimated,
       round((r.measured_effect ->> 'own_bytes_per_query_after')::numeric) AS bytes_after_measured,
       coalesce(r.measured_effect ->> 'own_bytes_are', 'opened') AS bytes_are,
       (r.measured_effect ->> 'files_saved_measured_over_estimated')::numeric AS files_saving_ratio,
       (r.measured_effect ->> 'bytes_saved_measured_over_estimated')::numeric AS bytes_saving_ratio,
       (r.measured_effect ->> 'own_misestimated_share_before')::numeric AS misestimated_before,
       (r.estimate ->> 'misestimated_share_after')::numeric AS misestimated_after_estimated,
       (r.measured_effect ->> 'own_misestimated_share_after')::numeric AS misestimated_after_measured,
       (r.measured_effect ->> 'misestimates_fixed_measured_over_estimated')::numeric AS misestimates_ratio
FROM recommendations r
WHERE r.estimate IS NOT NULL AND r.measured_effect -> 'own_queries_after' IS NOT NULL
  AND (coalesce(current_setting('icetune.cluster', true), '') IN ('', r.cluster_name) OR current_setting('icetune.cluster', true) = ANY (r.clusters))
ORDER BY r.id;
