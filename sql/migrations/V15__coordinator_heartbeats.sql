-- Each coordinator's listener says it is alive every 30 seconds, under the id that ends its query ids
-- (20261204_194824_00364_x2euz). A coordinator killed (kill -9, the OOM killer, its host lost) sends no completion for the
-- queries it was running and no sign of its own end: without this, those queries were taken for hung ones until another
-- coordinator of the cluster started a query, for good where none did. A coordinator not heard from for 2 minutes is
-- taken for gone, and so are its open queries. No row for a coordinator whose listener is older: its queries count as
-- before. Written by the listener; rows of coordinators gone for a week are removed by it.
CREATE TABLE coordinator_heartbeats (
    cluster_name   text COLLATE "C" NOT NULL,
    coordinator_id text COLLATE "C" NOT NULL,
    seen_at        timestamptz NOT NULL,
    PRIMARY KEY (cluster_name, coordinator_id)
);
