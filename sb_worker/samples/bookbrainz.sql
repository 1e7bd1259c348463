-- The part of BookBrainz's schema the bookbrainz_editor source reads: bookbrainz.editor and the table it refers
-- to, as in bookbrainz-site's sql/schemas/bookbrainz.sql (columns, types, defaults and checks kept; the foreign
-- keys to musicbrainz.gender and musicbrainz.area, which a BookBrainz database carries, left out).
-- `sb sample-db --bookbrainz` creates and fills it.
CREATE SCHEMA bookbrainz;

CREATE TABLE bookbrainz.editor_type (
    id SERIAL PRIMARY KEY,
    label VARCHAR(255) NOT NULL CHECK (label <> '')
);

CREATE TABLE bookbrainz.editor (
    id SERIAL PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE CHECK (name <> ''),
    metabrainz_user_id INTEGER CHECK (metabrainz_user_id >= 0),
    cached_metabrainz_name VARCHAR(64),
    reputation INT NOT NULL DEFAULT 0,
    bio TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT timezone('UTC'::TEXT, now()),
    active_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT timezone('UTC'::TEXT, now()),
    type_id INT NOT NULL REFERENCES bookbrainz.editor_type (id),
    gender_id INT,
    area_id INT,
    privs INT NOT NULL DEFAULT 1,
    revisions_applied INT NOT NULL DEFAULT 0 CHECK (revisions_applied >= 0),
    revisions_reverted INT NOT NULL DEFAULT 0 CHECK (revisions_reverted >= 0),
    total_revisions INT NOT NULL DEFAULT 0 CHECK (total_revisions >= 0),
    title_unlock_id INT
);
