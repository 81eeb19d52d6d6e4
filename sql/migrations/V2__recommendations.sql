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
    evidence           jsonb       NOT NULL,
    first_seen         timestamptz NOT NULL,
    last_seen          timestamptz NOT NULL,
    times_seen         integer     NOT NULL DEFAULT 1,
    missed_evaluations integer     NOT NULL DEFAULT 0,   -- consecutive evaluations in which the rule did not fire
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
