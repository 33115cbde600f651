-- Health tracking of served environments (issue 9).
--
-- Numbers (see the README's Health section): a watch lease lasts two thirds of the environment's interval (at least
-- 1 s) and its holder renews it every third, so a dead holder's environments are taken over by another runner's next
-- renewal within one interval of the holder's last renewal. Raw samples are kept 24 h, 1-minute rollups 7 days,
-- 5-minute rollups 90 days.

ALTER TABLE environments
    ADD COLUMN health_interval_seconds integer NOT NULL DEFAULT 30 CHECK (health_interval_seconds BETWEEN 1 AND 3600),
    ADD COLUMN notify_urls text[] NOT NULL DEFAULT '{}';

-- One row per watched environment: who probes it, fenced by watch_token (a new holder gets a new token).
CREATE TABLE health_watches (
    environment text PRIMARY KEY REFERENCES environments (name) ON DELETE CASCADE,
    runner_id   uuid REFERENCES runners (id) ON DELETE SET NULL,
    watch_token uuid,
    acquired_at timestamptz,
    expires_at  timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX health_watches_runner ON health_watches (runner_id);

CREATE TABLE health_samples (
    id                  bigserial PRIMARY KEY,
    environment         text NOT NULL REFERENCES environments (name) ON DELETE CASCADE,
    revision            text,
    at                  timestamptz NOT NULL,
    runner_id           uuid,
    healthcheck_ok      boolean NOT NULL,
    generate_ok         boolean NOT NULL,
    generate_latency_ms double precision,
    replicas_total      integer,
    replicas_ready      integer,
    restarts            integer,
    ttft_ms             double precision,
    tpot_ms             double precision,
    queue_depth         double precision,
    slots_used_percent  double precision,
    tokens_per_second   double precision,
    error               text
);
CREATE INDEX health_samples_environment_at ON health_samples (environment, at);
CREATE INDEX health_samples_at ON health_samples (at);

-- Downsampled samples: bucket_seconds is 60 or 300; bucket_start is aligned to it.
CREATE TABLE health_rollups (
    environment             text NOT NULL REFERENCES environments (name) ON DELETE CASCADE,
    bucket_seconds          integer NOT NULL,
    bucket_start            timestamptz NOT NULL,
    samples                 integer NOT NULL,
    healthcheck_failures    integer NOT NULL,
    generate_failures       integer NOT NULL,
    generate_latency_avg_ms double precision,
    generate_latency_max_ms double precision,
    replicas_ready_min      integer,
    ttft_avg_ms             double precision,
    tpot_avg_ms             double precision,
    queue_depth_avg         double precision,
    tokens_per_second_avg   double precision,
    PRIMARY KEY (environment, bucket_seconds, bucket_start)
);
CREATE INDEX health_rollups_start ON health_rollups (bucket_seconds, bucket_start);

-- The derived status, one row per environment that is or was served.
CREATE TABLE health_status (
    environment    text PRIMARY KEY REFERENCES environments (name) ON DELETE CASCADE,
    status         text NOT NULL CHECK (status IN ('healthy', 'degraded', 'down', 'unknown')),
    since          timestamptz NOT NULL,
    reason         text,
    last_sample_at timestamptz
);

CREATE TABLE health_transitions (
    id          bigserial PRIMARY KEY,
    environment text NOT NULL REFERENCES environments (name) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    reason      text
);
CREATE INDEX health_transitions_environment_at ON health_transitions (environment, at);

-- The notification outbox: one row per (event, URL); claimed_until keeps two orchestrator instances from sending one
-- delivery at the same time (claims use FOR UPDATE SKIP LOCKED).
CREATE TABLE notification_deliveries (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL,
    environment     text NOT NULL,
    url             text NOT NULL,
    event_kind      text NOT NULL,
    payload         jsonb NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX notification_deliveries_environment ON notification_deliveries (environment, created_at);

CREATE TABLE notification_attempts (
    id          bigserial PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    status_code integer,
    error       text
);
CREATE INDEX notification_attempts_delivery ON notification_attempts (delivery_id);
