-- Signed-in sessions of the review page. The cookie holds a random ID; only its hash is kept here, with the
-- token that signed in (revoking the token ends its sessions) and the session's CSRF secret.
CREATE TABLE review_session (
    id_hash         BYTEA PRIMARY KEY,
    token_id        BIGINT NOT NULL REFERENCES api_token (id),
    csrf            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX review_session_idx_expires ON review_session (expires_at);
