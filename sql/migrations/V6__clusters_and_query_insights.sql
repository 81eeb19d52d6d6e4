-- Several Trino clusters (ETL, BI, ad hoc) write one history: every row carries the name of the cluster that ran the
-- query (the listener's icetune.cluster-name, by default Trino's node environment). Rows written before get 'default'.
-- A constant default is stored in the catalog: adding these columns rewrites no rows.
ALTER TABLE query_logs ADD COLUMN cluster_name text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE query_inputs ADD COLUMN cluster_name text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE query_starts ADD COLUMN cluster_name text COLLATE "C" NOT NULL DEFAULT 'default';

-- What the query's operators did, for the query insights: the join whose output exceeded its input the most (its input
-- rows, both sides, and output rows), whether the plan joins without a condition (a cross join), and whether it sorts
-- a result without a LIMIT.
ALTER TABLE query_logs
    ADD COLUMN join_input_rows    bigint,
    ADD COLUMN join_output_rows   bigint,
    ADD COLUMN cross_join         boolean,
    ADD COLUMN sort_without_limit boolean;

-- A pattern's recommendation belongs to the cluster that ran the pattern (its latency is that cluster's); a table's sums
-- the scans of every cluster and lists them. Recommendations of patterns made before were all of the one cluster there was.
ALTER TABLE recommendations
    ADD COLUMN cluster_name text,
    ADD COLUMN clusters     text[] NOT NULL DEFAULT '{}';
UPDATE recommendations SET cluster_name = 'default', clusters = '{default}', dedupe_key = dedupe_key || '@default'
WHERE target_type = 'PATTERN';

-- Level 4 (infrastructure) recommendations are about a cluster: more workers, resource groups, a dedicated cluster.
ALTER TABLE recommendations DROP CONSTRAINT recommendations_target_type_check;
ALTER TABLE recommendations ADD CONSTRAINT recommendations_target_type_check CHECK (target_type IN ('TABLE', 'PATTERN', 'CLUSTER'));
