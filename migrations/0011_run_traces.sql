-- Each run's W3C trace context ('00-<trace id>-<span id>-<flags>'), set when the run is created: every instance hangs
-- the run's step attempts under it, and runners get it with their claims (see src/Orchestrator/Telemetry).
-- Runs from before have none; their attempts' spans start traces of their own.
ALTER TABLE runs ADD COLUMN traceparent text;
