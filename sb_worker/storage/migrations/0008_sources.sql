-- Entity sources are plug-ins chosen by SB_SOURCES, so a kind is any source's name, not one of a fixed two.
ALTER TABLE scan_mark DROP CONSTRAINT scan_mark_kind_check,
    ADD CONSTRAINT scan_mark_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$');
ALTER TABLE score DROP CONSTRAINT score_kind_check,
    ADD CONSTRAINT score_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$');
ALTER TABLE report DROP CONSTRAINT report_kind_check,
    ADD CONSTRAINT report_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$');
ALTER TABLE backfill DROP CONSTRAINT backfill_kind_check,
    ADD CONSTRAINT backfill_kind_check CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$');

-- Trust is in an account of one source: MusicBrainz editors ('editor') or another project's accounts.
ALTER TABLE trusted_account ADD COLUMN kind TEXT NOT NULL DEFAULT 'editor',
    DROP CONSTRAINT trusted_account_pkey, ADD PRIMARY KEY (kind, editor_id);
