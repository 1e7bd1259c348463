-- The ninjas' workbench (issue 16).

-- The ninjas' allow and block lists (detectors/lists.py), with their audit: who added or removed each entry,
-- when and why. An entry is never deleted: removing it stamps it, so the history stays.
CREATE TABLE list_entry (
    id              BIGSERIAL PRIMARY KEY,
    list            TEXT NOT NULL CHECK (list IN ('block', 'allow')),
    what            TEXT NOT NULL CHECK (what IN ('domain', 'phrase', 'email_domain')),
    value           TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    added_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    removed_by      TEXT,
    removed_reason  TEXT,
    removed_at      TIMESTAMPTZ
);
CREATE UNIQUE INDEX list_entry_idx_live ON list_entry (what, value) WHERE removed_at IS NULL;

-- A ninja may undo their own verdict for a few minutes: an "undo" event, never learned from, that reopens the report.
ALTER TABLE verdict DROP CONSTRAINT verdict_verdict_check,
    ADD CONSTRAINT verdict_verdict_check CHECK (verdict IN ('spam', 'ham', 'undo'));

-- A ninja looking at a report claims it for a while, so two ninjas do not judge the same one at once.
ALTER TABLE report ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_until TIMESTAMPTZ;

-- The SimHash of a report's text (signed, as PostgreSQL keeps 64 bits): near-copies are one campaign.
ALTER TABLE report ADD COLUMN text_hash BIGINT;
