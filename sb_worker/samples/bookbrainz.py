"""A deterministic sample of BookBrainz's editors (`sb sample-db --bookbrainz`), for the tests and for trying the
bookbrainz_editor source.

The accounts come from the MusicBrainz sample's generator (``sb_worker.samples.musicbrainz``): the same spam families, waves
and real texts, and honest readers. BookBrainz has no website field, so a spammer's link goes into the bio, as it
does there. BookBrainz has no SPAMMER flag either: which accounts are spam is returned, not stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from psycopg2.extras import execute_values

from sb_worker.samples.generator import Generator
from sb_worker.samples.musicbrainz import fresh_schema

EDITOR_TYPES = ((1, "Editor"), (2, "Bot"))
READER_BIOS = [
    "I mostly read {genre} and add the editions on my shelves, with their ISBNs.",
    "Librarian. Adding {genre} translations and their publishers.",
    "Collector of old {genre} paperbacks; I fix authors and series when I find them.",
    "Reading my way through {genre}, one edition group at a time.",
]
BOOK_GENRES = ["science fiction", "crime", "poetry", "fantasy", "history", "children's books", "manga"]


@dataclass(frozen=True)
class BookBrainzSample:
    """What `build_bookbrainz_sample` made: how many editors, and which are spam (the ground truth)."""

    editors: int
    spam_ids: frozenset[int]


def build_bookbrainz_sample(dsn: str, editors: int = 1000, seed: int = 1,
                            spam_share: float = 0.1) -> BookBrainzSample:
    """(Re)create schema ``bookbrainz`` in the database at ``dsn`` and fill it; the same seed gives the same rows."""
    gen = Generator(seed)
    rng = gen.rng
    rows, spam = [], set()
    for p in gen.editors(editors, spam_share):
        applied = p["n_edits"]
        if p["spam"]:
            spam.add(p["id"])
            bio = " ".join(part for part in (p["bio"], p["website"]) if part)
        elif p["bio"]:  # a reader's bio, or one of the real honest texts
            bio = (rng.choice(READER_BIOS).format(genre=rng.choice(BOOK_GENRES)) if rng.random() < 0.7
                   else rng.choice(gen.texts["ham"]))
        else:
            bio = ""
        reverted = applied if p["spam"] else 0  # a spammer's few revisions are reverted
        rows.append((p["id"], p["name"][:64], bio, 0 if p["spam"] else applied, _naive(p["member_since"]),
                     _naive(p["last_login_date"]), 1, p["gender"], p["area"], applied, reverted, applied))
    with fresh_schema(dsn, "bookbrainz", resources.files("sb_worker.samples").joinpath("bookbrainz.sql")) as cur:
        execute_values(cur, "INSERT INTO bookbrainz.editor_type (id, label) VALUES %s", EDITOR_TYPES)
        execute_values(cur, """
            INSERT INTO bookbrainz.editor (id, name, bio, reputation, created_at, active_at, type_id, gender_id,
                                           area_id, revisions_applied, revisions_reverted, total_revisions)
            VALUES %s""", rows, page_size=2000)
        cur.execute("SELECT setval('bookbrainz.editor_id_seq', (SELECT max(id) FROM bookbrainz.editor))")
        cur.execute("ANALYZE bookbrainz.editor")
    return BookBrainzSample(editors=len(rows), spam_ids=frozenset(spam))


def _naive(when: dt.datetime) -> dt.datetime:
    """A UTC instant as BookBrainz stores it: TIMESTAMP WITHOUT TIME ZONE, in UTC."""
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None)
