"""The SpamBrainz database's schema, one numbered SQL file a version, applied in order by ``sb migrate``."""
