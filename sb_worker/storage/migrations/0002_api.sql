-- Scans asked for through the API, so their progress can be read back.
CREATE TABLE scan_request (
    id              BIGSERIAL PRIMARY KEY,
    requested_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    editors         BIGINT[] NOT NULL,
    edits           BIGINT[] NOT NULL,
    errors          JSONB NOT NULL DEFAULT '[]'
);

CREATE INDEX verdict_idx_report ON verdict (report_id, id DESC);
CREATE INDEX api_token_idx_active ON api_token (token_hash) WHERE revoked_at IS NULL;
