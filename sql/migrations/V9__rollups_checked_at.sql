-- When an evaluation last checked each rolled-up period it reads. A period no baseline in force reads was dropped by the
-- next evaluation at once: one with another end (the service's and a person's evaluate, an hour apart) could drop a period
-- the other had checked and was about to read. It is now dropped once no evaluation has checked it for a while. The check
-- for rows that arrived late reads the rows inserted since the oldest check of a period it reads, not since the last roll.
-- The default serves an engine of an earlier version still running beside an upgraded one: its rolls count as checks.
ALTER TABLE pattern_rollups_rolled ADD COLUMN checked_at timestamptz NOT NULL DEFAULT now();
-- every period kept was checked by the evaluation that rolled up the last one: what the check before this version assumed
UPDATE pattern_rollups_rolled SET checked_at = (SELECT max(rolled_at) FROM pattern_rollups_rolled);
