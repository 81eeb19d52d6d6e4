-- The queries whose completion a listener could not keep (its queue or journal full, the journal's disk full during an
-- outage): their starts are in query_starts and no completion will ever come, so they are not running, whatever their
-- age says. Written by the listener once PostgreSQL takes writes again; read by the hung-queries evidence. One row a lost
-- completion: a handful after an outage that filled a disk.
CREATE TABLE lost_completions (
    query_id     text        PRIMARY KEY,
    cluster_name text        NOT NULL,
    lost_at      timestamptz NOT NULL DEFAULT now()
);
