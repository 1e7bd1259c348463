-- SpamBrainz's own database. Every write the service makes is an upsert keyed by entity (and model version),
-- so a chunk scanned twice changes nothing.

-- How far `sb enqueue` has read MusicBrainz, per kind of entity.
CREATE TABLE scan_mark (
    kind            TEXT PRIMARY KEY CHECK (kind IN ('editor', 'edit')),
    last_id         BIGINT NOT NULL DEFAULT 0,
    last_time       TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The latest score of each entity by each scorer (heuristic or model version).
CREATE TABLE score (
    kind            TEXT NOT NULL CHECK (kind IN ('editor', 'edit')),
    entity_id       BIGINT NOT NULL,
    model_version   TEXT NOT NULL,
    score           SMALLINT NOT NULL CHECK (score BETWEEN 0 AND 100),
    reasons         JSONB NOT NULL,
    scanned_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, entity_id, model_version)
);
CREATE INDEX score_idx_scanned_at ON score (scanned_at);

-- Reports for the spam ninjas: at most one open report per entity.
CREATE TABLE report (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('editor', 'edit')),
    entity_id       BIGINT NOT NULL,
    score           SMALLINT NOT NULL CHECK (score BETWEEN 0 AND 100),
    reasons         JSONB NOT NULL,
    model_version   TEXT NOT NULL,
    action          TEXT NOT NULL DEFAULT 'review' CHECK (action IN ('review', 'auto')),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'spam', 'ham')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX report_idx_one_open ON report (kind, entity_id) WHERE status = 'open';
CREATE INDEX report_idx_undelivered ON report (id) WHERE delivered_at IS NULL;

-- Which sink has a report: each report reaches each sink once, however often its task runs.
CREATE TABLE report_delivery (
    report_id       BIGINT NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    sink            TEXT NOT NULL,
    delivered_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (report_id, sink)
);

-- Ninja verdicts, an event log: a changed mind is a new row, the latest wins.
CREATE TABLE verdict (
    id              BIGSERIAL PRIMARY KEY,
    report_id       BIGINT NOT NULL REFERENCES report (id),
    verdict         TEXT NOT NULL CHECK (verdict IN ('spam', 'ham')),
    ninja           TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_at      TIMESTAMPTZ
);
CREATE INDEX verdict_idx_unapplied ON verdict (id) WHERE applied_at IS NULL;

-- Runtime settings changeable without a restart (thresholds).
CREATE TABLE setting (
    key             TEXT PRIMARY KEY,
    value           JSONB NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- API bearer tokens, stored as hashes only.
CREATE TABLE api_token (
    id              SERIAL PRIMARY KEY,
    name            TEXT NOT NULL,
    token_hash      BYTEA NOT NULL UNIQUE,
    scopes          TEXT[] NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at      TIMESTAMPTZ
);

-- Model versions: one artifact each; exactly one active at most.
CREATE TABLE model_version (
    version         TEXT PRIMARY KEY,
    artifact        BYTEA,
    metadata        JSONB NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'active', 'retired')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    promoted_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX model_version_idx_one_active ON model_version ((true)) WHERE status = 'active';

-- IDs and records that could not be scanned, and why; cleared when the entity scans cleanly.
CREATE TABLE scan_error (
    kind            TEXT NOT NULL,
    entity          TEXT NOT NULL,
    error           TEXT NOT NULL,
    first_seen      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, entity)
);
