-- The hung-queries read looked at a day of query_starts against a day of query_logs at every evaluation (7.3 s at
-- 3,000,000 queries a day). The queries found open at a check are now kept in open_queries: the next check reads only the
-- starts inserted since (inserted_at tells apart a listener's journal replayed after an outage, whose starts are old when
-- they arrive) and looks up the completions of the queries still open.
ALTER TABLE query_starts ADD COLUMN inserted_at timestamptz DEFAULT now(); -- nullable, as query_logs' (version 8)

-- As for query_logs in version 8: built on the partitions without rows (the days ahead), and by PostgreSQL on each
-- partition created from now on, so that the upgrade neither reads the days written nor holds the listener's writes for as
-- long. A check reads the starts of the day before an evaluation's end: on the days written before this version, whole, as
-- it did before, until they are two days old.
CREATE INDEX query_starts_inserted_at_idx ON ONLY query_starts USING brin (inserted_at);
DO $$
DECLARE
    part  regclass;
    empty boolean;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'query_starts'::regclass LOOP
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', part) INTO empty;
        IF empty THEN
            EXECUTE format('CREATE INDEX %I ON %s USING brin (inserted_at)', part::text || '_inserted_at_idx', part);
            EXECUTE format('ALTER INDEX query_starts_inserted_at_idx ATTACH PARTITION %I', part::text || '_inserted_at_idx');
        END IF;
    END LOOP;
END
$$;

-- The queries started from covered_from on with no completion in query_logs when last checked, of every cluster.
CREATE TABLE open_queries (
    query_id           text        NOT NULL,
    create_time        timestamptz NOT NULL,
    cluster_name       text COLLATE "C" NOT NULL,
    user_name          text        NOT NULL,
    query_pattern_hash text,
    PRIMARY KEY (query_id, create_time)
);

-- The last check of open_queries (one row): starts inserted since checked_at were not seen, starts before covered_from not kept.
CREATE TABLE open_queries_checked (
    only_row     boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    checked_at   timestamptz NOT NULL,
    covered_from timestamptz NOT NULL
);
