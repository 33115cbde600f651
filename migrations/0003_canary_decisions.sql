-- Canaries that decide: steps that wait for a person, rollbacks that run instead of the rest of the plan, background
-- analyses asked to finish, progress deadlines, approvals per environment, and a record of every rollback.

ALTER TABLE steps DROP CONSTRAINT steps_status_check;
ALTER TABLE steps ADD CONSTRAINT steps_status_check
    CHECK (status IN ('pending', 'ready', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'skipped'));
-- Who ended a waiting step (approved, promoted) and when.
ALTER TABLE steps ADD COLUMN decided_by text;
ALTER TABLE steps ADD COLUMN decided_at timestamptz;
-- A background analysis is asked to finish once the canary steps it watches are done (heartbeats carry it).
ALTER TABLE steps ADD COLUMN finish_requested boolean NOT NULL DEFAULT false;
CREATE INDEX steps_waiting ON steps (run_id) WHERE status = 'waiting';

-- While a run rolls back, it stays 'running' with the status it will end in here; its revision.rollback step is the only
-- one that may still become ready, once no other step of the run is running.
ALTER TABLE runs ADD COLUMN ending_status text CHECK (ending_status IN ('failed', 'cancelled'));
-- strategy.canary.progressDeadline, counted from the moment the canary's replicas are live (engine.deploy succeeded).
ALTER TABLE runs ADD COLUMN progress_deadline_seconds integer;
CREATE INDEX runs_deadline ON runs (id) WHERE status = 'running' AND progress_deadline_seconds IS NOT NULL AND ending_status IS NULL;

-- Runs of an environment with required approval wait at an 'approval' step before anything else.
ALTER TABLE environments ADD COLUMN require_approval boolean NOT NULL DEFAULT false;

-- What happened to an environment that people and notifications need to hear of (a rollback and its cause).
CREATE TABLE environment_events (
    id          bigserial PRIMARY KEY,
    environment text NOT NULL REFERENCES environments (name),
    run_id      uuid REFERENCES runs (id),
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX environment_events_environment ON environment_events (environment, at DESC);
