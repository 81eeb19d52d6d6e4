-- Hashes, query texts, patterns, user and table names are machine keys: the evidence queries group,
-- sort and take minimums over a million of them per evaluation. Under a libc locale such as C.UTF-8
-- every comparison goes through strcoll (and sorts lose abbreviated keys); under "C" it is a memcmp.
-- That is a third of the pattern evidence's time. Changing a text column's collation rewrites no rows.
ALTER TABLE query_logs
    ALTER COLUMN user_name TYPE text COLLATE "C",
    ALTER COLUMN query_text TYPE text COLLATE "C",
    ALTER COLUMN query_pattern TYPE text COLLATE "C",
    ALTER COLUMN query_pattern_hash TYPE text COLLATE "C",
    ALTER COLUMN main_input TYPE text COLLATE "C",
    ALTER COLUMN input_snapshots TYPE text COLLATE "C";

ALTER TABLE query_inputs
    ALTER COLUMN query_pattern_hash TYPE text COLLATE "C",
    ALTER COLUMN catalog TYPE text COLLATE "C",
    ALTER COLUMN schema_name TYPE text COLLATE "C",
    ALTER COLUMN table_name TYPE text COLLATE "C",
    ALTER COLUMN filter_predicate TYPE text COLLATE "C";

ALTER TABLE query_starts
    ALTER COLUMN query_pattern_hash TYPE text COLLATE "C";
