-- Fixes became typed records (rules-engine: dev.icetune.engine.model.Fix), stored as JSON tagged with their kind.
-- Rows written before keep working: their fix is rewritten here into the new shape.
--   iceberg-partition {table, transform, column}  -> partition-spec {table, from [], to [transform(column)]}
--   iceberg-sort-order {table, columns}           -> sort-order {table, columns}
--   iceberg-property  {table, name, value}        -> bloom-filters {table, from [], to [column]} for a bloom filter property,
--                                                    advice otherwise (no rule ever proposed another property)
--   iceberg-expire-snapshots {table, retain_hours} -> expire-snapshots {table, retainHours}
--   trino {table, statements}                     -> trino-statements {table, statements}
--   text {advice}                                 -> advice {text}
--   query-rewrite {sql}                           unchanged
UPDATE recommendations SET fix = CASE fix ->> 'kind'
    WHEN 'iceberg-partition' THEN jsonb_build_object('kind', 'partition-spec', 'table', fix -> 'table', 'from', '[]'::jsonb,
        'to', jsonb_build_array((fix ->> 'transform') || '(' || (fix ->> 'column') || ')'))
    WHEN 'iceberg-sort-order' THEN jsonb_build_object('kind', 'sort-order', 'table', fix -> 'table', 'columns', fix -> 'columns')
    WHEN 'iceberg-property' THEN CASE
        WHEN fix ->> 'name' LIKE 'write.parquet.bloom-filter-enabled.column.%' AND lower(fix ->> 'value') = 'true'
            THEN jsonb_build_object('kind', 'bloom-filters', 'table', fix -> 'table', 'from', '[]'::jsonb,
                'to', jsonb_build_array(substr(fix ->> 'name', length('write.parquet.bloom-filter-enabled.column.') + 1)))
        ELSE jsonb_build_object('kind', 'advice', 'text', 'set the Iceberg table property ' || (fix ->> 'name') || ' = ' || (fix ->> 'value')
            || ' on ' || (fix ->> 'table'))
        END
    WHEN 'iceberg-expire-snapshots' THEN jsonb_build_object('kind', 'expire-snapshots', 'table', fix -> 'table', 'retainHours', fix -> 'retain_hours')
    WHEN 'trino' THEN jsonb_build_object('kind', 'trino-statements', 'table', fix -> 'table', 'statements', fix -> 'statements')
    WHEN 'text' THEN jsonb_build_object('kind', 'advice', 'text', fix -> 'advice')
    ELSE fix
    END
WHERE fix ->> 'kind' IN ('iceberg-partition', 'iceberg-sort-order', 'iceberg-property', 'iceberg-expire-snapshots', 'trino', 'text');
