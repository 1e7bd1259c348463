-- The subset of the MusicBrainz schema that SpamBrainz reads, with MusicBrainz's own table names,
-- column names and types (admin/sql/CreateTables.sql in metabrainz/musicbrainz-server), trimmed to the
-- columns used here. Production points SpamBrainz at the real database, which already has all of this;
-- this file builds the sample database for the demo and the tests.
CREATE SCHEMA IF NOT EXISTS musicbrainz;
SET search_path = musicbrainz;

CREATE TABLE editor (
    id                  SERIAL PRIMARY KEY,
    name                VARCHAR(64) NOT NULL,
    privs               INTEGER DEFAULT 0,
    email               VARCHAR(64) DEFAULT NULL,
    website             VARCHAR(255) DEFAULT NULL,
    bio                 TEXT DEFAULT NULL,
    member_since        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    email_confirm_date  TIMESTAMP WITH TIME ZONE,
    last_login_date     TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    birth_date          DATE,
    gender              INTEGER,
    area                INTEGER,
    password            VARCHAR(128) NOT NULL,
    ha1                 CHAR(32) NOT NULL,
    deleted             BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX editor_idx_last_updated ON editor (last_updated);

CREATE TABLE edit (
    id                  SERIAL PRIMARY KEY,
    editor              INTEGER NOT NULL REFERENCES editor (id),
    type                SMALLINT NOT NULL,
    status              SMALLINT NOT NULL,
    autoedit            SMALLINT NOT NULL DEFAULT 0,
    open_time           TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    close_time          TIMESTAMP WITH TIME ZONE,
    expire_time         TIMESTAMP WITH TIME ZONE NOT NULL,
    language            INTEGER,
    quality             SMALLINT NOT NULL DEFAULT 1
);
CREATE INDEX edit_idx_editor_id_desc ON edit (editor, id DESC);
CREATE INDEX edit_idx_open_time ON edit (open_time);

CREATE TABLE edit_data (
    edit                INTEGER PRIMARY KEY REFERENCES edit (id),
    data                JSONB NOT NULL
);

CREATE TABLE edit_note (
    id                  SERIAL PRIMARY KEY,
    editor              INTEGER NOT NULL REFERENCES editor (id),
    edit                INTEGER NOT NULL REFERENCES edit (id),
    text                TEXT NOT NULL,
    post_time           TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);
CREATE INDEX edit_note_idx_edit ON edit_note (edit);
CREATE INDEX edit_note_idx_editor ON edit_note (editor);

CREATE TABLE vote (
    id                  SERIAL PRIMARY KEY,
    editor              INTEGER NOT NULL REFERENCES editor (id),
    edit                INTEGER NOT NULL REFERENCES edit (id),
    vote                SMALLINT NOT NULL,
    vote_time           TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    superseded          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX vote_idx_editor_vote_time ON vote (editor, vote_time);

CREATE TABLE artist (
    id                  SERIAL PRIMARY KEY,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    sort_name           VARCHAR NOT NULL,
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0,
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE release (
    id                  SERIAL PRIMARY KEY,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0,
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE label (
    id                  SERIAL PRIMARY KEY,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0,
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE annotation (
    id                  SERIAL PRIMARY KEY,
    editor              INTEGER NOT NULL REFERENCES editor (id),
    text                TEXT,
    changelog           VARCHAR(255),
    created             TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);
CREATE INDEX annotation_idx_editor ON annotation (editor);

CREATE TABLE artist_annotation (
    artist              INTEGER NOT NULL REFERENCES artist (id),
    annotation          INTEGER NOT NULL REFERENCES annotation (id),
    PRIMARY KEY (artist, annotation)
);
CREATE TABLE release_annotation (
    release             INTEGER NOT NULL REFERENCES release (id),
    annotation          INTEGER NOT NULL REFERENCES annotation (id),
    PRIMARY KEY (release, annotation)
);
CREATE TABLE label_annotation (
    label               INTEGER NOT NULL REFERENCES label (id),
    annotation          INTEGER NOT NULL REFERENCES annotation (id),
    PRIMARY KEY (label, annotation)
);

CREATE TABLE url (
    id                  SERIAL PRIMARY KEY,
    gid                 UUID NOT NULL,
    url                 TEXT NOT NULL,
    edits_pending       INTEGER NOT NULL DEFAULT 0,
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE link_type (
    id                  SERIAL PRIMARY KEY,
    parent              INTEGER,
    child_order         INTEGER NOT NULL DEFAULT 0,
    gid                 UUID NOT NULL,
    entity_type0        VARCHAR(50) NOT NULL,
    entity_type1        VARCHAR(50) NOT NULL,
    name                VARCHAR(255) NOT NULL,
    description         TEXT,
    link_phrase         VARCHAR(255) NOT NULL,
    reverse_link_phrase VARCHAR(255) NOT NULL,
    long_link_phrase    VARCHAR(255) NOT NULL,
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    is_deprecated       BOOLEAN NOT NULL DEFAULT FALSE,
    has_dates           BOOLEAN NOT NULL DEFAULT TRUE,
    entity0_cardinality SMALLINT NOT NULL DEFAULT 0,
    entity1_cardinality SMALLINT NOT NULL DEFAULT 0
);

CREATE TABLE link (
    id                  SERIAL PRIMARY KEY,
    link_type           INTEGER NOT NULL REFERENCES link_type (id),
    attribute_count     INTEGER NOT NULL DEFAULT 0,
    created             TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    ended               BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE l_artist_url (
    id                  SERIAL PRIMARY KEY,
    link                INTEGER NOT NULL REFERENCES link (id),
    entity0             INTEGER NOT NULL REFERENCES artist (id),
    entity1             INTEGER NOT NULL REFERENCES url (id),
    edits_pending       INTEGER NOT NULL DEFAULT 0,
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    link_order          INTEGER NOT NULL DEFAULT 0,
    entity0_credit      TEXT NOT NULL DEFAULT '',
    entity1_credit      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE l_release_url (LIKE l_artist_url INCLUDING DEFAULTS);
ALTER TABLE l_release_url ADD PRIMARY KEY (id);
CREATE TABLE l_label_url (LIKE l_artist_url INCLUDING DEFAULTS);
ALTER TABLE l_label_url ADD PRIMARY KEY (id);

CREATE TABLE editor_collection (
    id                  SERIAL PRIMARY KEY,
    gid                 UUID NOT NULL,
    editor              INTEGER NOT NULL REFERENCES editor (id),
    name                VARCHAR NOT NULL,
    public              BOOLEAN NOT NULL DEFAULT FALSE,
    description         TEXT DEFAULT '' NOT NULL,
    type                INTEGER NOT NULL
);
CREATE INDEX editor_collection_idx_editor ON editor_collection (editor);

-- The URL link types the sample uses, with their MusicBrainz IDs (see DESIGN.md).
INSERT INTO link_type (id, gid, entity_type0, entity_type1, name, link_phrase, reverse_link_phrase, long_link_phrase) VALUES
    (183, gen_random_uuid(), 'artist', 'url', 'official homepage', 'official homepages', 'official homepage for', 'has an official homepage at'),
    (192, gen_random_uuid(), 'artist', 'url', 'social network', 'social networking', 'social networking page for', 'has a social networking page at'),
    (193, gen_random_uuid(), 'artist', 'url', 'youtube', 'YouTube channels', 'YouTube channel for', 'has a YouTube channel at'),
    (199, gen_random_uuid(), 'artist', 'url', 'blog', 'blogs', 'blog of', 'has a blog at'),
    (291, gen_random_uuid(), 'artist', 'url', 'soundcloud', 'SoundCloud', 'SoundCloud page for', 'has a SoundCloud page at'),
    (718, gen_random_uuid(), 'artist', 'url', 'bandcamp', 'Bandcamp', 'Bandcamp page for', 'has a Bandcamp page at');
SELECT setval('link_type_id_seq', 1000);
