-- What the rules engine concluded, and every change of state since.
-- One row per rule and target (dedupe_key): a rule firing again refreshes its row instead of adding one.
CREATE TABLE recommendations (
    id                 bigserial   PRIMARY KEY,
    dedupe_key         text        NOT NULL UNIQUE,
    rule_id            text        NOT NULL,
    target_type        text        NOT NULL CHECK (target_type IN ('TABLE', 'PATTERN')),
    target             text        NOT NULL,
    severity           text        NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    level              text        NOT NULL CHECK (level IN ('L1', 'L2', 'L3', 'L4')),
    status             text        NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'applied', 'verified', 'regressed', 'resolved', 'superseded')),
    explanation        text        NOT NULL,
    proposed_fix       text        NOT NULL,
    fix                jsonb       NOT NULL,              -- the machine-readable fix: {"kind": ..., ...}
    evidence           jsonb       NOT NULL,
    first_seen         timestamptz NOT NULL,
    last_seen          timestamptz NOT NULL,
    times_seen         integer     NOT NULL DEFAULT 1,
    missed_evaluations integer     NOT NULL DEFAULT 0,   -- consecutive evaluations in which the rule did not fire
    measured_effect    jsonb,                             -- after a fix: the same patterns before and after it
    updated_at         timestamptz NOT NULL
);
CREATE INDEX recommendations_status_idx ON recommendations (status, severity);

CREATE TABLE recommendation_history (
    id                bigserial   PRIMARY KEY,
    recommendation_id bigint      NOT NULL REFERENCES recommendations (id),
    at                timestamptz NOT NULL,
    from_status       text,
    to_status         text        NOT NULL,
    actor             text        NOT NULL,
    reason            text,
    evidence          jsonb
);
CREATE INDEX recommendation_history_recommendation_idx ON recommendation_history (recommendation_id, at);

-- One row per run of the rules.
CREATE TABLE evaluations (
    id              bigserial   PRIMARY KEY,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    baseline_start  timestamptz NOT NULL,
    facts           integer     NOT NULL,
    recommendations integer     NOT NULL,
    fired           jsonb       NOT NULL,
    opened          integer     NOT NULL,
    refreshed       integer     NOT NULL,
    resolved        integer     NOT NULL
);

-- Every attempt to apply (or roll back) a fix, dry runs included: who, what ran, the result, and the
-- table's state before and after.
CREATE TABLE fix_audit (
    id                bigserial   PRIMARY KEY,
    recommendation_id bigint      NOT NULL REFERENCES recommendations (id),
    at                timestamptz NOT NULL,
    actor             text        NOT NULL,
    approved_by       text,
    action            text        NOT NULL CHECK (action IN ('dry-run', 'apply', 'rollback')),
    change            text        NOT NULL,            -- what ran, or would run
    result            text        NOT NULL CHECK (result IN ('planned', 'applied', 'no-op', 'failed', 'rolled-back', 'not-possible')),
    message           text,
    snapshot_before   bigint,
    snapshot_after    bigint,
    state_before      jsonb,                           -- partition spec, sort order, properties
    state_after       jsonb
);
CREATE INDEX fix_audit_recommendation_idx ON fix_audit (recommendation_id, at);
