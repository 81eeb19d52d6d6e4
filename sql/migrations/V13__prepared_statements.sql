-- The statement an EXECUTE of a statement prepared by name ran (PREPARE, or a client's explicit preparation): the query
-- text says only EXECUTE name USING values. A pattern's sample is run again as this statement with those values (a
-- rewrite, a materialized view), and a repeated run is the same statement with the same values. NULL for any other
-- query, for rows written before, and by a listener of an earlier version.
ALTER TABLE query_logs ADD COLUMN prepared_statement text;
