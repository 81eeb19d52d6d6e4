-- Fixes and their measured effect on the queries each is meant to help (its scope), before the fix against
-- after it, with the verdict, and the fixes measured together with it when their effects could not be told
-- apart; a fix undone since its last apply says when and by whom. Run with psql or `bin/icetune report fix-effects`.
SELECT r.id,
       r.rule_id,
       coalesce(CASE WHEN r.target_type = 'PATTERN' THEN left(r.target, 8) || ' ' || (r.evidence ->> 'query') END, r.target) AS target,
       array_to_string(r.clusters, ',') AS clusters,
       r.status,
       a.at AS applied_at,
       a.actor AS applied_by,
       a.approved_by,
       rb.at AS rolled_back_at,
       rb.actor AS rolled_back_by,
       r.measured_effect ->> 'verdict' AS verdict,
       r.measured_effect ->> 'scope' AS scope,
       r.measured_effect ->> 'measured_with' AS measured_with,
       (r.measured_effect ->> 'queries_before')::numeric AS queries_before,
       (r.measured_effect ->> 'queries_after')::numeric AS queries_after,
       (r.measured_effect ->> 'p95_ms_before')::numeric AS p95_ms_before,
       (r.measured_effect ->> 'p95_ms_after')::numeric AS p95_ms_after,
       (r.measured_effect ->> 'files_per_query_before')::numeric AS files_before,
       (r.measured_effect ->> 'files_per_query_after')::numeric AS files_after,
       (r.measured_effect ->> 'bytes_per_query_before')::numeric AS bytes_before,
       (r.measured_effect ->> 'bytes_per_query_after')::numeric AS bytes_after
FROM recommendations r
JOIN LATERAL (
    SELECT id, at, actor, approved_by FROM fix_audit
    WHERE recommendation_id = r.id AND action = 'apply' AND result IN ('applied', 'no-op') AND step IS NULL
    ORDER BY id DESC LIMIT 1) a ON true
LEFT JOIN LATERAL (
    SELECT at, actor FROM fix_audit
    WHERE recommendation_id = r.id AND action = 'rollback' AND result = 'rolled-back' AND step IS NULL AND id > a.id
    ORDER BY id DESC LIMIT 1) rb ON true
WHERE (coalesce(current_setting('icetune.cluster', true), '') IN ('', r.cluster_name) OR current_setting('icetune.cluster', true) = ANY (r.clusters))
ORDER BY a.at DESC;
