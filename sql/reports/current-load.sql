-- Current load (runbook: Check Current Load), last 5 minutes: queries running now, bytes scanned, active users.
SELECT (SELECT count(*) FROM query_starts s
        WHERE s.create_time > now() - interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM query_logs l WHERE l.query_id = s.query_id AND l."timestamp" > now() - interval '1 day')) AS running_now,
       count(*) AS queries_last_5_minutes,
       coalesce(sum(bytes_scanned), 0) AS bytes_scanned_last_5_minutes,
       count(DISTINCT user_name) AS active_users_last_5_minutes
FROM query_logs
WHERE "timestamp" > now() - interval '5 minutes';
