-- Recommendations with their status, last change and, for applied fixes, the measured effect.
SELECT r.id, r.status, r.severity, r.level, r.rule_id, coalesce(CASE WHEN r.target_type = 'PATTERN' THEN left(r.target, 8) || ' ' || (r.evidence ->> 'query') END, r.target) AS target, array_to_string(r.clusters, ',') AS clusters, r.first_seen, r.last_seen, r.times_seen,
       h.at AS last_change, h.actor AS changed_by,
       (r.measured_effect ->> 'files_per_query_before')::numeric AS files_before,
       (r.measured_effect ->> 'files_per_query_after')::numeric AS files_after,
       (r.measured_effect ->> 'p95_ms_before')::numeric AS p95_before,
       (r.measured_effect ->> 'p95_ms_after')::numeric AS p95_after
FROM recommendations r
LEFT JOIN LATERAL (SELECT at, actor FROM recommendation_history WHERE recommendation_id = r.id ORDER BY id DESC LIMIT 1) h ON true
WHERE (coalesce(current_setting('icetune.cluster', true), '') IN ('', r.cluster_name) OR current_setting('icetune.cluster', true) = ANY (r.clusters))
ORDER BY CASE r.status WHEN 'open' THEN 0 WHEN 'approved' THEN 1 WHEN 'applied' THEN 2 ELSE 3 END,
         CASE r.severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 ELSE 3 END, r.id;
