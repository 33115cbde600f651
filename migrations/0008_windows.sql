-- Maintenance windows (issue 10): a run that is not urgent starts only while a window of its environment is open; an
-- environment without windows is always open. A window opens by a Quartz cron expression and stays open for a
-- duration, or is a weekly range (the days it opens on, a start and an end local time; an end at or before the start
-- is on the next day). Times are read in the window's IANA time zone. The list is replaced as a whole.
CREATE TABLE maintenance_windows (
    environment      text NOT NULL REFERENCES environments (name) ON DELETE CASCADE,
    ordinal          integer NOT NULL,
    time_zone        text NOT NULL,
    cron             text,
    duration_seconds bigint,
    days             text[],
    start_minute     integer,
    end_minute       integer,
    PRIMARY KEY (environment, ordinal),
    CHECK ((cron IS NOT NULL AND duration_seconds > 0 AND days IS NULL AND start_minute IS NULL AND end_minute IS NULL)
        OR (cron IS NULL AND duration_seconds IS NULL AND cardinality(days) > 0
            AND start_minute BETWEEN 0 AND 1439 AND end_minute BETWEEN 0 AND 1439 AND start_minute <> end_minute))
);

-- An urgent run ignores the windows: it starts as soon as nothing else is active in its environment.
ALTER TABLE runs ADD COLUMN urgent boolean NOT NULL DEFAULT false;
