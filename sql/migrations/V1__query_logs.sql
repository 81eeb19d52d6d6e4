-- Icetune capture schema: what the trino-listener plugin writes for every Trino query.
-- Partitioned by day on the query's end time so that retention is a DROP of old partitions, and the
-- reports, which always filter on a time window, touch only the days they need.

-- One row per completed (or failed) query.
-- query_pattern, latency, bytes_scanned, files_scanned, rows_returned, success and "timestamp" are the
-- names the runbook's reports use verbatim.
CREATE TABLE query_logs (
    query_id              text        NOT NULL,
    "timestamp"           timestamptz NOT NULL,           -- query end
    state                 text        NOT NULL,
    success               boolean     NOT NULL,
    error_code            text,
    error_type            text,
    error_message         text,
    user_name             text        NOT NULL,
    principal             text,
    source                text,
    client_tags           text[],
    resource_group        text,
    catalog               text,
    schema_name           text,
    server_version        text,
    query_text            text,
    query_text_length     integer     NOT NULL,           -- of the original text, before capping
    query_text_truncated  boolean     NOT NULL,
    query_pattern         text,
    query_pattern_hash    text,
    update_type           text,
    plan                  text,
    create_time           timestamptz NOT NULL,
    execution_start_time  timestamptz,
    end_time              timestamptz NOT NULL,
    latency               bigint      NOT NULL,           -- wall time, milliseconds
    queued_ms             bigint,
    planning_ms           bigint,
    execution_ms          bigint,
    cpu_ms                bigint,
    scheduled_ms          bigint,
    physical_input_bytes  bigint,
    physical_input_rows   bigint,
    processed_input_bytes bigint,
    processed_input_rows  bigint,
    bytes_scanned         bigint,                         -- physical input bytes read from storage
    files_scanned         bigint,                         -- data files read, summed over the connector-reported inputs
    rows_returned         bigint,
    output_bytes          bigint,
    written_bytes         bigint,
    written_rows          bigint,
    peak_memory_bytes     bigint,
    spilled_bytes         bigint,
    completed_splits      integer,
    skew_ratio            double precision,               -- worst stage: max / median task input bytes
    skew_stage_id         integer,
    input_count           integer     NOT NULL,
    -- copied from query_inputs so that per-pattern evidence needs no join: the input read the most
    -- bytes from (catalog.schema.table), and the snapshot ids of all inputs in order
    main_input            text,
    input_snapshots       text,
    PRIMARY KEY (query_id, "timestamp")
) PARTITION BY RANGE ("timestamp");

-- One row per input table of a query. For Iceberg: what was scanned against the table's totals.
CREATE TABLE query_inputs (
    query_id               text        NOT NULL,
    "timestamp"            timestamptz NOT NULL,          -- the query's end, as in query_logs
    input_index            integer     NOT NULL,
    query_pattern_hash     text,                          -- copied from query_logs: per-table evidence needs no join
    update_type            text,
    catalog                text        NOT NULL,
    schema_name            text        NOT NULL,
    table_name             text        NOT NULL,
    connector              text,
    columns                text[],
    physical_input_bytes   bigint,
    physical_input_rows    bigint,
    snapshot_id            bigint,
    format_version         integer,
    partition_fields       text[],
    file_format            text,
    total_data_files       bigint,
    total_records          bigint,
    total_delete_files     bigint,
    files_scanned          bigint,
    bytes_scanned          bigint,
    manifests_scanned      bigint,
    manifests_skipped      bigint,
    delete_files_scanned   bigint,
    scan_planning_ms       double precision,
    bytes_read_from_cache  bigint,                        -- NULL when Trino's file system cache is off
    bytes_read_externally  bigint,
    pruning_ratio          double precision,              -- files_scanned / total_data_files (1 = nothing pruned)
    constraint_columns     text[],                        -- columns with a constraint pushed into the scan
    filter_predicate       text                           -- predicate left above the scan (not pushed down)
    -- no key of its own: a B-tree here would cost a third of the ingest rate; rows are written only
    -- together with their query_logs row, whose key keeps replays from duplicating them
) PARTITION BY RANGE ("timestamp");

-- One row per created query: with query_logs this answers "how many queries were running at time t".
CREATE TABLE query_starts (
    query_id        text        NOT NULL,
    create_time     timestamptz NOT NULL,
    user_name       text        NOT NULL,
    source          text,
    catalog         text,
    schema_name     text,
    query_pattern_hash text,
    PRIMARY KEY (query_id, create_time)
) PARTITION BY RANGE (create_time);

-- Rows whose day has no partition (far past or future clocks, replays after retention) land here
-- instead of failing the batch.
CREATE TABLE query_logs_default PARTITION OF query_logs DEFAULT;
CREATE TABLE query_inputs_default PARTITION OF query_inputs DEFAULT;
CREATE TABLE query_starts_default PARTITION OF query_starts DEFAULT;

-- The reports read a time window (a day partition or part of one) and aggregate it. BRIN, not B-tree,
-- on time: rows arrive in time order, and a BRIN index costs next to nothing to keep, where each B-tree
-- on these tables cost about a fifth of the ingest rate.
CREATE INDEX query_logs_timestamp_idx ON query_logs USING brin ("timestamp");
CREATE INDEX query_inputs_timestamp_idx ON query_inputs USING brin ("timestamp");
CREATE INDEX query_starts_time_idx ON query_starts USING brin (create_time);

-- Long texts compress with lz4 where the server has it: several times cheaper for the server's CPU,
-- which is what limits ingest (see shared notes).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE query_logs ALTER COLUMN query_text SET COMPRESSION lz4;
        ALTER TABLE query_logs ALTER COLUMN query_pattern SET COMPRESSION lz4;
        ALTER TABLE query_logs ALTER COLUMN plan SET COMPRESSION lz4;
    END IF;
END
$$;

-- Creates the daily partitions from yesterday to days_ahead days ahead, and drops partitions older than
-- retention_days (NULL or 0 keeps everything). Safe to call from several coordinators at once.
CREATE FUNCTION icetune_maintain_partitions(days_ahead integer, retention_days integer)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    parent   text;
    day      date;
    part     record;
    part_day date;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('icetune_maintain_partitions'));
    FOREACH parent IN ARRAY ARRAY['query_logs', 'query_inputs', 'query_starts'] LOOP
        FOR day IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 1,
                                          (now() AT TIME ZONE 'UTC')::date + days_ahead, interval '1 day')::date LOOP
            IF to_regclass(format('%I', parent || '_p' || to_char(day, 'YYYYMMDD'))) IS NULL THEN
                BEGIN
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                                   parent || '_p' || to_char(day, 'YYYYMMDD'), parent,
                                   day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
                EXCEPTION WHEN check_violation THEN
                    -- the default partition already holds rows of that day: they stay there
                    RAISE NOTICE 'icetune: % has rows of % in its default partition; no partition created', parent, day;
                END;
            END IF;
        END LOOP;
        IF coalesce(retention_days, 0) > 0 THEN
            FOR part IN
                SELECT c.relname
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = parent::regclass AND c.relname ~ ('^' || parent || '_p[0-9]{8}$')
            LOOP
                part_day := to_date(right(part.relname, 8), 'YYYYMMDD');
                IF part_day < (now() AT TIME ZONE 'UTC')::date - retention_days THEN
                    EXECUTE format('DROP TABLE %I', part.relname);
                END IF;
            END LOOP;
        END IF;
    END LOOP;
END
$$;

SELECT icetune_maintain_partitions(7, NULL);
