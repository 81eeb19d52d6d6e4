-- Fixes and their measured effect: the query patterns that read the fixed table (or the fixed pattern),
-- before the fix against after it. Run with psql or `bin/icetune report fix-effects`.
SELECT r.id,
       r.rule_id,
       r.target,
       r.status,
       a.at AS applied_at,
       a.actor AS applied_by,
       a.approved_by,
       r.measured_effect ->> 'queries_before' AS queries_before,
       r.measured_effect ->> 'queries_after' AS queries_after,
       r.measured_effect ->> 'p95_ms_before' AS p95_ms_before,
       r.measured_effect ->> 'p95_ms_after' AS p95_ms_after,
       r.measured_effect ->> 'files_per_query_before' AS files_before,
       r.measured_effect ->> 'files_per_query_after' AS files_after,
       r.measured_effect ->> 'bytes_per_query_before' AS bytes_before,
       r.measured_effect ->> 'bytes_per_query_after' AS bytes_after
FROM recommendations r
JOIN LATERAL (
    SELECT at, actor, approved_by FROM fix_audit
    WHERE recommendation_id = r.id AND action = 'apply' AND result IN ('applied', 'no-op')
    ORDER BY id DESC LIMIT 1) a ON true
ORDER BY a.at DESC;
