-- The baseline an evaluation compares its window with is the 7 days before it: read from query_logs at every evaluation,
-- it grew with the days' rows (a million queries an hour made it 168 million rows an evaluation). The baseline is now
-- kept per pattern in pattern_rollups: its complete days, and the complete hours at either end of them, rolled up once
-- by the evaluation that first needs them, and again when rows of them arrive late (a listener's journal replayed after
-- an outage): inserted_at tells those rows apart. Only the parts of hours at the baseline's two ends are read as rows.
-- BRIN, as on "timestamp": rows arrive in insertion order, and such an index costs next to nothing to keep.
ALTER TABLE query_logs ADD COLUMN inserted_at timestamptz DEFAULT now(); -- nullable: the listener's staging tables copy NOT NULL, not defaults

-- The index is built on the partitions without rows only (the days ahead), and by PostgreSQL on each partition created
-- from now on: built on the days already written, it would read all of query_logs, holding the listener's writes for as
-- long (and, past icetune.db.socket-timeout, failing the migration for ever). Those days go without it: an evaluation
-- checks them by reading them, as it read them all before, until they leave its baseline.
CREATE INDEX query_logs_inserted_at_idx ON ONLY query_logs USING brin (inserted_at);
DO $$
DECLARE
    part  regclass;
    empty boolean;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'query_logs'::regclass LOOP
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', part) INTO empty;
        IF empty THEN
            EXECUTE format('CREATE INDEX %I ON %s USING brin (inserted_at)', part::text || '_inserted_at_idx', part);
            EXECUTE format('ALTER INDEX query_logs_inserted_at_idx ATTACH PARTITION %I', part::text || '_inserted_at_idx');
        END IF;
    END LOOP;
END
$$;

-- One pattern's reads in one UTC day or hour on one cluster: counts and sums, its latencies as (value, count) pairs (exact
-- below 10 s, to four significant digits above, so that percentiles merged over periods match percentile_cont within
-- 0.05%), and the distinct snapshot sets it read, hashed.
CREATE TABLE pattern_rollups (
    period             text        NOT NULL CHECK (period IN ('day', 'hour')),
    starts             timestamptz NOT NULL,
    cluster_name       text COLLATE "C" NOT NULL,
    query_pattern_hash text COLLATE "C" NOT NULL,
    executions         bigint      NOT NULL,
    files_scanned      double precision NOT NULL,
    bytes_scanned      double precision NOT NULL,
    latencies          bigint[]    NOT NULL,
    latency_counts     bigint[]    NOT NULL,
    snapshot_keys      bigint[]    NOT NULL,
    PRIMARY KEY (period, starts, cluster_name, query_pattern_hash)
);

-- The periods rolled up, and when: rows of the period inserted since were not counted.
CREATE TABLE pattern_rollups_rolled (
    period    text        NOT NULL,
    starts    timestamptz NOT NULL,
    rolled_at timestamptz NOT NULL,
    PRIMARY KEY (period, starts)
);
