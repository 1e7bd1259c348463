"""What SpamBrainz reads and keeps: its database connections (each wait bounded), the SpamBrainz store and its
migrations, the read-only MusicBrainz reader, and the entity sources."""
