-- `sb enqueue --all`: how far each kind's backfill has queued, so an interrupted one resumes where it stopped.
CREATE TABLE backfill (
    kind            TEXT PRIMARY KEY CHECK (kind IN ('editor', 'edit')),
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    upto_id         BIGINT NOT NULL,     -- the highest ID when it started: newer rows are cron's
    upto_time       TIMESTAMPTZ,         -- the latest change then: cron's time mark once it has finished
    last_id         BIGINT NOT NULL DEFAULT 0,  -- the last ID queued
    queued          BIGINT NOT NULL DEFAULT 0,
    finished_at     TIMESTAMPTZ
);
