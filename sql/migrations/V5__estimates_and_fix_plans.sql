-- What a recommendation is worth before approval (see rules-engine Estimate), and its priority for ordering;
-- the fix audit records each step of a fix's plan on its own row (step of steps; NULL on the row of the whole apply).
ALTER TABLE recommendations
    ADD COLUMN estimate jsonb,
    ADD COLUMN priority double precision NOT NULL DEFAULT 0;
CREATE INDEX recommendations_priority_idx ON recommendations (status, priority DESC);

ALTER TABLE fix_audit
    ADD COLUMN step  integer,
    ADD COLUMN steps integer;
