-- Current load (runbook: Check Current Load) per cluster, last 5 minutes: queries running now, bytes scanned, active
-- users, and the queries that waited in a queue.
WITH recent AS (
    SELECT cluster_name, count(*) AS queries, coalesce(sum(bytes_scanned), 0) AS bytes_scanned, count(DISTINCT user_name) AS users,
           count(*) FILTER (WHERE queued_ms >= 1000) AS queued
    FROM query_logs
    WHERE "timestamp" > now() - interval '5 minutes' AND cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), cluster_name)
    GROUP BY cluster_name),
-- A coordinator ends each query id with an id drawn anew at every start (20261204_194824_00364_x2euz); Trino sends no
-- completion for the queries a crash or kill cut off, which ended with it once another coordinator of the cluster has
-- started a query after its last, or once it has not said it is alive for 2 minutes (as hung-queries reads them).
coordinators AS (
    SELECT cluster_name, right(query_id, 5) AS coordinator_id, min(create_time) AS first_start, max(create_time) AS last_start
    FROM query_starts
    WHERE create_time > now() - interval '1 day' AND query_id ~ '^[0-9]{8}_[0-9]{6}_[0-9]{5}_[a-z0-9]{5}$'
    GROUP BY 1, 2),
running AS (
    SELECT s.cluster_name, count(*) AS running
    FROM query_starts s
    WHERE s.create_time > now() - interval '1 day' AND s.cluster_name = coalesce(nullif(current_setting('icetune.cluster', true), ''), s.cluster_name)
      AND NOT EXISTS (SELECT 1 FROM query_logs l WHERE l.query_id = s.query_id AND l."timestamp" > now() - interval '1 day')
      AND NOT EXISTS (SELECT 1 FROM lost_completions x WHERE x.query_id = s.query_id)
      AND NOT EXISTS (SELECT 1 FROM coordinators ended JOIN coordinators later USING (cluster_name)
                      WHERE ended.cluster_name = s.cluster_name AND ended.coordinator_id = right(s.query_id, 5) AND later.first_start > ended.last_start)
      AND NOT EXISTS (SELECT 1 FROM coordinator_heartbeats beat
                      WHERE beat.cluster_name = s.cluster_name AND beat.coordinator_id = right(s.query_id, 5) AND beat.seen_at < now() - interval '2 minutes')
    GROUP BY s.cluster_name)
SELECT cluster_name,
       coalesce(running.running, 0) AS running_now,
       coalesce(recent.queries, 0) AS queries_last_5_minutes,
       coalesce(recent.bytes_scanned, 0) AS bytes_scanned_last_5_minutes,
       coalesce(recent.users, 0) AS active_users_last_5_minutes,
       coalesce(recent.queued, 0) AS queued_last_5_minutes
FROM recent FULL JOIN running USING (cluster_name)
ORDER BY cluster_name;
