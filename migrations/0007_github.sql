-- GitHub releases in, deployment statuses out (issue 10).
--
-- A delivery is recorded when it arrives (the receiver answers within GitHub's 10 s) and worked on afterwards by the
-- delivery processor, which claims it with a token: the run it starts and the row's processed_at are written in one
-- transaction fenced by that token, so a delivery starts at most one run, even after a crash or on two instances.

-- A repository's releases roll out to these environments. repository is owner/name in lower case (GitHub's names are
-- case-insensitive).
CREATE TABLE github_bindings (
    id                  uuid PRIMARY KEY,
    repository          text NOT NULL UNIQUE,
    staging_environment text REFERENCES environments (name) ON DELETE SET NULL,
    prod_environment    text REFERENCES environments (name) ON DELETE SET NULL,
    actions             text[] NOT NULL,
    on_removed          text NOT NULL CHECK (on_removed IN ('nothing', 'rollback')),
    spec_path           text NOT NULL,
    installation_id     bigint,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

-- X-GitHub-Delivery is kept on redelivery: its uniqueness is the dedupe.
CREATE TABLE github_deliveries (
    delivery_id     text PRIMARY KEY,
    event           text NOT NULL,
    action          text,
    repository      text,
    release_id      bigint,
    tag             text,
    prerelease      boolean NOT NULL DEFAULT false,
    installation_id bigint,
    received_at     timestamptz NOT NULL,
    -- started: a run; ignored: nothing to do (and why); invalid: the spec at the tag is wrong (and why);
    -- failed: GitHub could not be read after every attempt.
    outcome         text CHECK (outcome IN ('started', 'ignored', 'invalid', 'failed')),
    detail          text,
    environment     text,
    run_id          uuid REFERENCES runs (id),
    processed_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
    claim_token     uuid,
    claimed_until   timestamptz
);
CREATE INDEX github_deliveries_unprocessed ON github_deliveries (next_attempt_at) WHERE processed_at IS NULL;
CREATE INDEX github_deliveries_received ON github_deliveries (received_at DESC);
CREATE INDEX github_deliveries_release ON github_deliveries (repository, release_id, tag, environment) WHERE outcome = 'started';

-- The GitHub deployment of a run from a release; deployment_id is set once GitHub has created it.
CREATE TABLE github_deployments (
    run_id          uuid PRIMARY KEY REFERENCES runs (id),
    repository      text NOT NULL,
    ref             text NOT NULL,
    environment     text NOT NULL,
    installation_id bigint,
    deployment_id   bigint,
    created_at      timestamptz NOT NULL
);
CREATE INDEX github_deployments_environment ON github_deployments (repository, environment, created_at DESC);

-- Outgoing deployment statuses, sent in id order per run by the status sender (retried with backoff; a restart loses
-- none). State is GitHub's: queued, in_progress, success, failure, error, inactive.
CREATE TABLE github_status_updates (
    id              bigserial PRIMARY KEY,
    run_id          uuid NOT NULL REFERENCES runs (id),
    state           text NOT NULL CHECK (state IN ('queued', 'in_progress', 'success', 'failure', 'error', 'inactive')),
    description     text,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
    claimed_until   timestamptz,
    sent_at         timestamptz,
    failed_at       timestamptz,
    last_error      text
);
CREATE INDEX github_status_updates_open ON github_status_updates (run_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Every change of a release run's status, on every path that makes one (completion, batched completion, lease expiry,
-- cancel, retry, supersede, a new run), queues its deployment status in the same transaction. Runs from other
-- triggers pay only the WHEN test. A success also retires the deployment it replaced: the environment's previous
-- successful release run of the same repository.
CREATE FUNCTION github_enqueue_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO github_status_updates (run_id, state, description)
    VALUES (NEW.id,
            CASE NEW.status WHEN 'queued' THEN 'queued' WHEN 'running' THEN 'in_progress' WHEN 'succeeded' THEN 'success'
                            WHEN 'failed' THEN 'failure' ELSE 'error' END,
            left(CASE WHEN NEW.status IN ('failed', 'cancelled') THEN NEW.status || COALESCE(': ' || NEW.error, '') END, 140));
    IF NEW.status = 'succeeded' THEN
        INSERT INTO github_status_updates (run_id, state, description)
        SELECT previous.run_id, 'inactive', 'replaced by ' || NEW.id
        FROM github_deployments mine
        JOIN LATERAL (SELECT d.run_id FROM github_deployments d JOIN runs r ON r.id = d.run_id
                      WHERE d.repository = mine.repository AND d.environment = mine.environment AND d.run_id <> NEW.id
                        AND r.status = 'succeeded'
                      ORDER BY r.finished_at DESC LIMIT 1) previous ON true
        WHERE mine.run_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER runs_github_status_insert AFTER INSERT ON runs
    FOR EACH ROW WHEN (NEW.trigger_kind = 'github-release') EXECUTE FUNCTION github_enqueue_status();
CREATE TRIGGER runs_github_status_update AFTER UPDATE OF status ON runs
    FOR EACH ROW WHEN (NEW.trigger_kind = 'github-release' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION github_enqueue_status();
