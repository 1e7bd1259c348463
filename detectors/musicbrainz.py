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
EDIT_STATUS_NAMES = {1: "open", 2: "applied", 3: "failed vote", 4: "failed dependency", 5: "error",
                     6: "failed prerequisite", 7: "no votes", 9: "deleted"}

# edit.type: the edits whose edit_data adds a URL ...
REL_CREATE, REL_EDIT, URL_EDIT = 90, 91, 101
#: ... and those that create an entity (artist, label, release group, release, work, place, recording, area,
#: series, event), whose names spam can carry.
ENTITY_CREATE_TYPES = frozenset({1, 10, 20, 31, 41, 61, 71, 81, 140, 150})
#: What a person calls the edit types SpamBrainz reads (the review page names an account's recent edits so).
EDIT_TYPE_NAMES = {1: "add artist", 2: "edit artist", 5: "add artist annotation", 10: "add label",
                   15: "add label annotation", 20: "add release group", 31: "add release", 35: "add release annotation",
                   41: "add work", 61: "add place", 71: "add recording", 81: "add area", 90: "add relationship",
                   91: "edit relationship", 101: "edit URL", 140: "add series", 150: "add event"}

# link_type IDs of URL relationships
HOMEPAGE, SOCIAL, YOUTUBE, BLOG, SOUNDCLOUD, BANDCAMP = 183, 192, 193, 199, 291, 718
#: Link types whose URL must be on one site: a mismatch means the link is not what it claims to be.
SITE_OF_LINK_TYPE = {BANDCAMP: "bandcamp.com", SOUNDCLOUD: "soundcloud.com", YOUTUBE: "youtube.com"}
