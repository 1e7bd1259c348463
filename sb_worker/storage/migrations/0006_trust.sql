-- Accounts a ninja declined and marked trusted: still scored, not reported again until the profile changes.
-- The fingerprint covers the bio and the website (so its domain); a new one ends the trust's effect.
CREATE TABLE trusted_account (
    editor_id       BIGINT PRIMARY KEY,
    fingerprint     TEXT NOT NULL,
    trusted_by      TEXT NOT NULL,
    report_id       BIGINT REFERENCES report (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at      TIMESTAMPTZ,
    revoked_by      TEXT
);
