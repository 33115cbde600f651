-- The orchestrator's schema. Append-only: later changes go into new numbered files.

CREATE TABLE environments (
    name         text PRIMARY KEY,
    target_kind  text NOT NULL,
    state        jsonb NOT NULL DEFAULT '{}'::jsonb,
    next_version integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Immutable: a change of desired state is a new row with the environment's next version.
CREATE TABLE rollouts (
    id            uuid PRIMARY KEY,
    environment   text NOT NULL REFERENCES environments (name),
    version       integer NOT NULL,
    revision      text NOT NULL,
    spec          jsonb NOT NULL,
    trigger_kind  text NOT NULL,
    trigger_actor text,
    created_at    timestamptz NOT NULL,
    UNIQUE (environment, version)
);

CREATE TABLE runs (
    id            uuid PRIMARY KEY,
    rollout_id    uuid NOT NULL REFERENCES rollouts (id),
    environment   text NOT NULL REFERENCES environments (name),
    status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    -- FIFO order of waiting runs in an environment; a retried run takes a new place at the end.
    queue_seq     bigint NOT NULL,
    trigger_kind  text NOT NULL,
    trigger_actor text,
    error         text,
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE SEQUENCE run_queue_seq;
-- At most one active run per environment, whatever the number of orchestrator instances.
CREATE UNIQUE INDEX runs_one_running_per_environment ON runs (environment) WHERE status = 'running';
CREATE INDEX runs_environment_queue ON runs (environment, queue_seq) WHERE status = 'queued';
CREATE INDEX runs_created ON runs (created_at DESC);
CREATE INDEX runs_environment_created ON runs (environment, created_at DESC);

CREATE TABLE steps (
    id                 uuid PRIMARY KEY,
    run_id             uuid NOT NULL REFERENCES runs (id),
    ordinal            integer NOT NULL,
    name               text NOT NULL,
    kind               text NOT NULL,
    required_labels    text[] NOT NULL DEFAULT '{}',
    depends_on         text[] NOT NULL DEFAULT '{}',
    status             text NOT NULL CHECK (status IN ('pending', 'ready', 'running', 'succeeded', 'failed', 'cancelled', 'skipped')),
    -- attempt counts claims (it numbers log lines); released_attempts are hand-backs that do not count against
    -- max_attempts, and a retry of the run moves it up to attempt to give a fresh budget.
    attempt            integer NOT NULL DEFAULT 0,
    released_attempts  integer NOT NULL DEFAULT 0,
    max_attempts       integer NOT NULL,
    not_before         timestamptz,
    ready_at           timestamptz,
    lease_token        uuid,
    lease_expires_at   timestamptz,
    runner_id          uuid,
    attempt_started_at timestamptz,
    timeout_seconds    integer NOT NULL,
    parameters         jsonb NOT NULL DEFAULT '{}'::jsonb,
    outputs            jsonb NOT NULL DEFAULT '{}'::jsonb,
    error              text,
    started_at         timestamptz,
    finished_at        timestamptz,
    UNIQUE (run_id, name)
);
CREATE INDEX steps_ready ON steps (ready_at, id) WHERE status = 'ready';
CREATE INDEX steps_running ON steps (lease_expires_at) WHERE status = 'running';
CREATE INDEX steps_runner ON steps (runner_id) WHERE status = 'running';

CREATE TABLE step_logs (
    id       bigserial PRIMARY KEY,
    step_id  uuid NOT NULL REFERENCES steps (id),
    attempt  integer NOT NULL,
    sequence bigint NOT NULL,
    at       timestamptz NOT NULL,
    text     text NOT NULL,
    UNIQUE (step_id, attempt, sequence)
);

CREATE TABLE runners (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    labels       text[] NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    removed_at   timestamptz
);

-- Every credential, stored only as its SHA-256: user, registration (single use) and runner tokens.
CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('user', 'registration', 'runner')),
    name        text NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    runner_id   uuid REFERENCES runners (id),
    created_at  timestamptz NOT NULL,
    consumed_at timestamptz
);

CREATE TABLE audit (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text NOT NULL,
    action  text NOT NULL,
    run_id  uuid REFERENCES runs (id),
    details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_run ON audit (run_id);

INSERT INTO environments (name, target_kind) VALUES ('local', 'local');
