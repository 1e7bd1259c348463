-- The review list and GET /v1/reports read reports by status, highest score first.
CREATE INDEX report_idx_status_score ON report (status, score DESC, id);
