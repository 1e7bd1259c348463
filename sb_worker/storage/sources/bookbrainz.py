"""BookBrainz editors: a second MetaBrainz project's accounts, read from its ``bookbrainz.editor`` table.

BookBrainz's editor row (bookbrainz-site, ``sql/schemas/bookbrainz.sql``) has a name, a bio, a reputation, when
the account was created and last active, gender and area, and revision counts; no website and no email (those
live in the MetaBrainz account). Each row is given to the detectors as an account record in MusicBrainz's
editor shape, so the detectors that read a bio, a name, activity and profile fields apply unchanged:

- ``created_at`` is ``member_since`` and ``active_at`` the last login; ``total_revisions`` and
  ``revisions_applied`` less ``revisions_reverted`` are the edit and accepted-edit counts. Votes and notes stay
  unknown: BookBrainz has no votes, and counting notes per author would scan its unindexed ``note`` table.
- BookBrainz has no BEGINNER flag. MusicBrainz's rule for it (fewer than 10 accepted edits, or an account younger
  than two weeks) sets the same bit in ``privs``, which is otherwise left out: BookBrainz's privilege bits mean
  other things.
- BookBrainz keeps no time of a profile's last change. ``active_at`` moves whenever the editor is active, which
  includes editing the profile, so `sb enqueue` rescans active editors: more scans than needed, none missed.

The model's network does not score these accounts (``scored_by_network = False``): it was trained on MusicBrainz editors,
whose records know more (email, confirmation and update times, votes), and on the BookBrainz sample it flagged
honest beginners with empty bios. The fitted weights score them, with the model's reputation table.

Timestamps are ``TIMESTAMP WITHOUT TIME ZONE`` in UTC there; the queries turn them into UTC instants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from detectors.musicbrainz import BEGINNER
from sb_worker.settings import Settings
from sb_worker.storage.db import Database, iso, like_escape
from sb_worker.storage.mb import Mark
from sb_worker.storage.sources.base import Source

_CHANGED_AT = "(active_at AT TIME ZONE 'UTC')"
_EDITORS = f"""
    SELECT e.id, e.name, e.bio, e.created_at AT TIME ZONE 'UTC' AS created_at,
           {_CHANGED_AT} AS active_at, e.gender_id, e.area_id, e.total_revisions,
           greatest(e.revisions_applied - e.revisions_reverted, 0) AS accepted,
           e.created_at > (now() AT TIME ZONE 'UTC') - interval '14 days'
             OR e.revisions_applied - e.revisions_reverted < 10 AS beginner
    FROM bookbrainz.editor e WHERE e.id = ANY(%(ids)s)"""


class BookBrainzEditors(Source):
    """Accounts of BookBrainz, from the database at ``SB_BOOKBRAINZ_DSN`` (read-only)."""

    kind = account_kind = "bookbrainz_editor"
    shape = "editor"
    site = "BookBrainz"
    scored_by_network = False

    def __init__(self, settings: Settings):
        self.db = Database(settings.bookbrainz_dsn, "BookBrainz database", readonly=True,
                           setting="SB_BOOKBRAINZ_DSN")
        self.streams = Database(settings.bookbrainz_dsn, "BookBrainz database", readonly=True,
                           setting="SB_BOOKBRAINZ_DSN")
        self.base = settings.bookbrainz_url.rstrip("/")

    def load(self, ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[int]]:
        """Account records for ``ids``, in their order, in MusicBrainz's editor shape: one query."""
        with self.db.transaction() as cur:
            cur.execute(_EDITORS, {"ids": list(ids)})
            rows = {row["id"]: row for row in cur.fetchall()}
        return [_record(rows[i]) for i in ids if i in rows], [i for i in ids if i not in rows]

    def account(self, entity_id: int) -> dict[str, Any] | None:
        with self.db.transaction() as cur:
            cur.execute("SELECT id AS editor_id, name FROM bookbrainz.editor WHERE id = %s", (entity_id,))
            row = cur.fetchone()
        return {**row, "kind": self.kind} if row else None

    def entity_url(self, entity_id: int, name: str) -> str:
        return f"{self.base}/editor/{entity_id}"

    def named(self, text: str, limit: int) -> list[int]:
        with self.db.transaction() as cur:
            cur.execute("SELECT id FROM bookbrainz.editor WHERE name ILIKE %s ORDER BY id DESC LIMIT %s",
                        (f"%{like_escape(text)}%", limit))
            return [row["id"] for row in cur.fetchall()]

    def changed(self, mark: Mark, overlap: dt.timedelta) -> tuple[list[int], Mark]:
        since = (mark.last_time - overlap) if mark.last_time else dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        with self.db.transaction("long") as cur:  # reads the whole table
            cur.execute(f"SELECT id, {_CHANGED_AT} AS changed FROM bookbrainz.editor "
                        f"WHERE id > %s OR {_CHANGED_AT} > %s ORDER BY id", (mark.last_id, since))
            rows = cur.fetchall()
        ids = [row["id"] for row in rows]
        latest = max([row["changed"] for row in rows] + ([mark.last_time] if mark.last_time else []), default=None)
        return ids, Mark(max([mark.last_id, *ids]), latest)

    def latest(self) -> Mark:
        with self.db.transaction("long") as cur:  # reads the whole table
            cur.execute(f"SELECT max(id) AS last_id, max({_CHANGED_AT}) AS last_time FROM bookbrainz.editor")
            row = cur.fetchone()
        return Mark(row["last_id"] or 0, row["last_time"])

    @contextmanager
    def all_ids(self, after: int, upto: int) -> Iterator[Iterator[int]]:
        with self.streams.stream("SELECT id FROM bookbrainz.editor WHERE id > %s AND id <= %s ORDER BY id",
                                 (after, upto)) as rows:
            yield (row[0] for row in rows)

    @contextmanager
    def changes(self, upto: int) -> Iterator[Iterator[tuple[int, Any]]]:
        with self.streams.stream(f"SELECT id, {_CHANGED_AT} FROM bookbrainz.editor WHERE id <= %s ORDER BY id",
                                 (upto,)) as rows:
            yield (tuple(row) for row in rows)

    def count(self, upto: int | None = None) -> int:
        with self.db.transaction("long") as cur:  # reads the whole table
            cur.execute("SELECT count(*) AS n FROM bookbrainz.editor WHERE %(upto)s IS NULL OR id <= %(upto)s",
                        {"upto": upto})
            return cur.fetchone()["n"]

    def close(self) -> None:
        self.db.close()
        self.streams.close()


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """One ``bookbrainz.editor`` row as an account record in MusicBrainz's editor shape (see the module)."""
    return {"id": row["id"], "name": row["name"], "bio": row["bio"], "member_since": iso(row["created_at"]),
            "last_login_date": iso(row["active_at"]), "gender": row["gender_id"], "area": row["area_id"],
            "privs": BEGINNER if row["beginner"] else 0,
            "counts": {"edits": row["total_revisions"], "accepted_edits": row["accepted"]}}
