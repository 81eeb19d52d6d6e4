-- A Trino coordinator ends every query id with an id of its own, drawn anew each time the process starts
-- (YYYYMMdd_HHmmss_index_coordinatorId). A query whose coordinator has been replaced since (a restart) ended with it, and
-- its completion was never sent: without this, the hung-queries alert reported every query a restart cut off, for a day.
-- The coordinators of each cluster seen in the starts open_queries covers, with their first and last start; kept, and
-- safe to empty, with open_queries.
CREATE TABLE query_coordinators (
    cluster_name   text COLLATE "C" NOT NULL,
    coordinator_id text COLLATE "C" NOT NULL,
    first_start    timestamptz NOT NULL,
    last_start     timestamptz NOT NULL,
    PRIMARY KEY (cluster_name, coordinator_id)
);
