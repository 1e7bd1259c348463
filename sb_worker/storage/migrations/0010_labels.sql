-- Learning what SpamBrainz missed (issue 17).

-- Labels MusicBrainz made itself: an account its admins flagged SPAMMER ('spam'), or one that left the beginner
-- stage with accepted edits ('ham'). One event per account, label and source, learned once like a verdict. The
-- record is kept as scoring reads it, the email reduced to its domain (MusicBrainz blanks a spammer it deletes,
-- and the trainer must still learn what it wrote). A spam label on an account SpamBrainz had scored below review
-- and never reported is a miss: ``score`` is its last score then, ``scanned_at`` when that was.
CREATE TABLE label (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
    entity_id       BIGINT NOT NULL,
    label           TEXT NOT NULL CHECK (label IN ('spam', 'ham')),
    source          TEXT NOT NULL,
    record          JSONB NOT NULL,
    score           SMALLINT,
    scanned_at      TIMESTAMPTZ,
    reported_at     TIMESTAMPTZ,
    registered_at   TIMESTAMPTZ,
    missed          BOOLEAN NOT NULL DEFAULT false,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_at      TIMESTAMPTZ,
    UNIQUE (source, kind, entity_id, label)
);
CREATE INDEX label_idx_unapplied ON label (id) WHERE applied_at IS NULL;
CREATE INDEX label_idx_missed ON label (created_at) WHERE missed;

-- An audit item is a report on an account scanned and not reported, drawn at random (``sample_rate``: the share of
-- its score band drawn), for the ninjas to judge: their verdicts estimate recall.
ALTER TABLE report DROP CONSTRAINT report_action_check,
    ADD CONSTRAINT report_action_check CHECK (action IN ('review', 'auto', 'audit')),
    ADD COLUMN sample_rate REAL CHECK (sample_rate > 0 AND sample_rate <= 1);
