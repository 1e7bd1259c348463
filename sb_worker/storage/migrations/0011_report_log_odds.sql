-- A report's score before rounding, as log-odds: reports that round to the same score (most often 100) are listed
-- by it, strongest first. Reports written before it have none and come last among their score.
ALTER TABLE report ADD COLUMN log_odds DOUBLE PRECISION;
DROP INDEX report_idx_status_score;
CREATE INDEX report_idx_status_score ON report (status, score DESC, log_odds DESC NULLS LAST, id);
