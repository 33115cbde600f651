-- What started a run beyond its kind and actor (issue 10): a schedule's id, or a GitHub release's repository, release
-- id, tag and delivery id. Kept on the rollout (what was asked) and the run (what did it).
ALTER TABLE rollouts ADD COLUMN trigger_details jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE runs ADD COLUMN trigger_details jsonb NOT NULL DEFAULT '{}'::jsonb;
