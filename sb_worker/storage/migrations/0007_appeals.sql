-- Appeals against automatic action: the account (or an admin for it) asks a ninja to look again. A decision is
-- also a verdict on the appealed report, so it is feedback like any other.
CREATE TABLE appeal (
    id              BIGSERIAL PRIMARY KEY,
    report_id       BIGINT NOT NULL REFERENCES report (id),
    editor_id       BIGINT NOT NULL,
    message         TEXT NOT NULL,
    submitted_by    TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at      TIMESTAMPTZ,
    decided_by      TEXT
);
CREATE UNIQUE INDEX appeal_idx_one_open ON appeal (report_id) WHERE status = 'open';
