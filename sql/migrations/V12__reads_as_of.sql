-- Whether the query read its tables as they were at a version or time (FOR VERSION AS OF, FOR TIMESTAMP AS OF): its scans
-- read a snapshot the table may have moved past, and say nothing of the table's layout as it is. A query-level fact, on
-- each of its inputs as the evidence reads them. NULL for rows written before, and by a listener of an earlier version.
ALTER TABLE query_inputs ADD COLUMN reads_as_of boolean;
