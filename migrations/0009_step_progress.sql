-- Step progress (issue 12): the latest progress its runner reported for the current attempt (done of total in a unit,
-- a message, when measured), as JSON; null until one is reported. A new attempt starts without progress.
ALTER TABLE steps ADD COLUMN progress jsonb;
