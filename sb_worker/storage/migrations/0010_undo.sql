-- A ninja may undo their own verdict for a few minutes: an "undo" event, never learned from, that reopens the report.
ALTER TABLE verdict DROP CONSTRAINT verdict_verdict_check,
    ADD CONSTRAINT verdict_verdict_check CHECK (verdict IN ('spam', 'ham', 'undo'));
