"""What MusicBrainz's data means, in one place: the privilege bits, special editors, edit statuses, edit types and
link types that SpamBrainz reads (from MusicBrainz's schema and code; DESIGN.md lists them). Everything that
reads MusicBrainz's numbers — the detectors, feature extraction, the reader's queries, the sample database —
takes them from here."""

# editor.privs bits
BOT = 2
SPAMMER = 4096    # the label MusicBrainz already has: never a feature
BEGINNER = 8192   # new accounts; the flag goes after 10 accepted edits and two weeks

#: Anonymous, FreeDB and ModBot: accounts that are MusicBrainz's own.
SPECIAL_EDITOR_IDS = (1, 2, 4)

# edit.status
EDIT_OPEN, EDIT_APPLIED = 1, 2

# edit.type: the edits whose edit_data adds a URL ...
REL_CREATE, REL_EDIT, URL_EDIT = 90, 91, 101
#: ... and those that create an entity (artist, label, release group, release, work, place, recording, area,
#: series, event), whose names spam can carry.
ENTITY_CREATE_TYPES = frozenset({1, 10, 20, 31, 41, 61, 71, 81, 140, 150})

# link_type IDs of URL relationships
HOMEPAGE, SOCIAL, YOUTUBE, BLOG, SOUNDCLOUD, BANDCAMP = 183, 192, 193, 199, 291, 718
#: Link types whose URL must be on one site: a mismatch means the link is not what it claims to be.
SITE_OF_LINK_TYPE = {BANDCAMP: "bandcamp.com", SOUNDCLOUD: "soundcloud.com", YOUTUBE: "youtube.com"}
