-- Whether the planner knew how many rows a filtered scan returns: the estimate Trino's plan gives the scan with its filter
-- (NaN when it could not estimate, for want of column statistics), and the rows the scan returned. Only for scans with a
-- filter and no dynamic filter; NULL otherwise, and for rows written before. Stale or missing statistics show here first.
ALTER TABLE query_inputs
    ADD COLUMN estimated_rows double precision,
    ADD COLUMN output_rows    bigint;
