"""Reading MusicBrainz: read-only, a fixed handful of queries per chunk, never one per entity. The reader loads
records and the labels MusicBrainz already has; what each source asks of its table (changes, IDs, counts) is in
:mod:`sb_worker.storage.sources.musicbrainz`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from detectors.musicbrainz import (BEGINNER, BOT, EDIT_APPLIED, REL_CREATE, REL_EDIT, SPAMMER, SPECIAL_EDITOR_IDS,
                                   URL_EDIT)
from sb_worker.storage.db import Database, iso, jsonable

EDITOR_COLUMNS = ("id", "name", "email", "website", "bio", "member_since", "email_confirm_date",
                  "last_login_date", "last_updated", "birth_date", "gender", "area", "privs", "deleted")
RECENT_EDITS = 20    # an editor record carries this many of its newest edits ...
RECENT_NOTES = 20    # ... and edit notes
COUNT_CAP = 1000     # activity counts stop here: scoring needs "none, few or many", not exact millions


_EDITORS = f"SELECT {', '.join(EDITOR_COLUMNS)} FROM musicbrainz.editor WHERE id = ANY(%s)"
_EDITOR_EDITS = """
    SELECT e.editor, e.id, e.type, e.status, e.open_time, d.data
    FROM unnest(%s::int[]) AS ed(id)
    CROSS JOIN LATERAL (SELECT * FROM musicbrainz.edit WHERE editor = ed.id ORDER BY id DESC LIMIT %s) e
    JOIN musicbrainz.edit_data d ON d.edit = e.id
    ORDER BY e.editor, e.id DESC"""
_EDITOR_NOTES = """
    SELECT n.editor, n.text, n.post_time
    FROM unnest(%s::int[]) AS ed(id)
    CROSS JOIN LATERAL (SELECT * FROM musicbrainz.edit_note WHERE editor = ed.id ORDER BY id DESC LIMIT %s) n
    ORDER BY n.editor, n.id DESC"""
_COUNT = "(SELECT count(*) FROM (SELECT 1 FROM musicbrainz.{table} WHERE editor = ed.id {extra} LIMIT %(cap)s) c)"
_EDITOR_COUNTS = f"""
    SELECT ed.id,
        {_COUNT.format(table="edit", extra="")} AS edits,
        {_COUNT.format(table="edit", extra="AND status = 2")} AS accepted_edits,
        {_COUNT.format(table="vote", extra="")} AS votes,
        {_COUNT.format(table="edit_note", extra="")} AS notes,
        {_COUNT.format(table="annotation", extra="")} AS annotations,
        {_COUNT.format(table="editor_collection", extra="")} AS collections
    FROM unnest(%(ids)s::int[]) AS ed(id)"""
_EDITS = """
    SELECT e.id, e.editor, e.type, e.status, e.open_time, d.data
    FROM musicbrainz.edit e JOIN musicbrainz.edit_data d ON d.edit = e.id
    WHERE e.id = ANY(%s)"""
_EDIT_NOTES = "SELECT edit, text, post_time FROM musicbrainz.edit_note WHERE edit = ANY(%s) ORDER BY edit, id"

# The accounts a label may be read from (people: not deleted, not bots, not MusicBrainz's special editors), and
# whether one has an accepted edit.
_PERSON = f"NOT deleted AND privs & {BOT} = 0 AND id NOT IN {SPECIAL_EDITOR_IDS}"
_ACCEPTED_EDIT = f"EXISTS (SELECT 1 FROM musicbrainz.edit WHERE editor = e.id AND status = {EDIT_APPLIED})"
# Accounts whose label MusicBrainz already knows: spammers (SPAMMER flag) and accounts in good standing
# (not spammers, not bots, not deleted, with an accepted edit or past the beginner stage).
_LABELLED = f"""
    SELECT id, privs & {SPAMMER} <> 0 AS spam FROM musicbrainz.editor e
    WHERE {_PERSON} AND (privs & {SPAMMER} <> 0 OR privs & {BEGINNER} = 0 OR {_ACCEPTED_EDIT})
    ORDER BY id"""
# What `sb harvest` reads: accounts changed since a time (MusicBrainz stamps last_updated on every change of the
# row, its flags included) that its admins flagged SPAMMER, or that left the beginner stage with accepted edits.
_LABELS_SINCE = f"""
    SELECT id, privs & {SPAMMER} <> 0 AS spam, last_updated, member_since FROM musicbrainz.editor e
    WHERE (%(since)s::timestamptz IS NULL OR last_updated > %(since)s)
      AND {_PERSON} AND (privs & {SPAMMER} <> 0 OR (privs & {BEGINNER} = 0 AND {_ACCEPTED_EDIT}))
    ORDER BY id"""


@dataclass(frozen=True)
class Mark:
    """How far `sb enqueue` has read one kind: the highest ID and the latest time seen."""

    last_id: int = 0
    last_time: dt.datetime | None = None


class MBReader:
    """Loads editor and edit records from a MusicBrainz database in read-only transactions; ``db`` and ``streams``
    are its two connections, which the MusicBrainz sources share."""

    def __init__(self, dsn: str):
        self.db = Database(dsn, "MusicBrainz database", readonly=True, setting="SB_MB_DSN")
        # Streams hold a transaction open for their server-side cursor, so they get a connection of their own:
        # loading records meanwhile commits on the other one.
        self.streams = Database(dsn, "MusicBrainz database", readonly=True, setting="SB_MB_DSN")

    def load_editors(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Editor records with their recent edits, recent notes and activity counts: four queries."""
        ids = list(ids)
        with self.db.transaction() as cur:
            return self._editors(cur, ids)

    def load_edits(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Edit records with their notes, the URLs they add and their editors' records: six queries."""
        ids = list(ids)
        with self.db.transaction() as cur:
            cur.execute(_EDITS, (ids,))
            edits = {row["id"]: jsonable(row) for row in cur.fetchall()}
            cur.execute(_EDIT_NOTES, (list(edits),))
            notes: dict[int, list] = {}
            for row in cur.fetchall():
                notes.setdefault(row["edit"], []).append({"text": row["text"], "post_time": iso(row["post_time"])})
            editors = {r["id"]: r for r in self._editors(cur, sorted({e["editor"] for e in edits.values()}))}
        records = []
        for edit_id in ids:
            if edit_id in edits:
                edit = edits[edit_id]
                edit["notes"] = notes.get(edit_id, [])
                edit["urls"] = added_urls(edit["type"], edit["data"])
                edit["editor_record"] = editors.get(edit["editor"], {})
                records.append(edit)
        return records

    def _editors(self, cur, ids: list[int]) -> list[dict[str, Any]]:
        cur.execute(_EDITORS, (ids,))
        editors = {row["id"]: {**jsonable(row), "edits": [], "notes": []} for row in cur.fetchall()}
        found = list(editors)
        cur.execute(_EDITOR_EDITS, (found, RECENT_EDITS))
        for row in map(dict, cur.fetchall()):
            editors[row.pop("editor")]["edits"].append(jsonable(row))
        cur.execute(_EDITOR_NOTES, (found, RECENT_NOTES))
        for row in cur.fetchall():
            editors[row["editor"]]["notes"].append({"text": row["text"], "post_time": iso(row["post_time"])})
        cur.execute(_EDITOR_COUNTS, {"ids": found, "cap": COUNT_CAP})
        for row in map(dict, cur.fetchall()):
            editors[row.pop("id")]["counts"] = row
        return [editors[i] for i in ids if i in editors]

    @contextmanager
    def labelled_ids(self) -> Iterator[Iterator[tuple[int, bool]]]:
        """(editor ID, is spam) for every account whose label MusicBrainz already knows, streamed in ID order."""
        with self.streams.stream(_LABELLED) as rows:
            yield ((row[0], row[1]) for row in rows)

    def labels_since(self, since: dt.datetime | None) -> list[dict[str, Any]]:
        """Accounts changed after ``since`` (any time, when None) whose label MusicBrainz knows: each with its ID,
        whether it is flagged SPAMMER, when it last changed and when it registered."""
        with self.db.transaction("long") as cur:  # may read the whole table
            cur.execute(_LABELS_SINCE, {"since": since})
            return [dict(row) for row in cur.fetchall()]

    def close(self) -> None:
        """Close the connections."""
        self.db.close()
        self.streams.close()


def added_urls(edit_type: int, data: Any) -> list[str]:
    """The URLs an edit adds, read from its edit_data (relationships to a URL entity, URL edits)."""
    if not isinstance(data, dict):
        return []
    urls = []
    if edit_type in (REL_CREATE, REL_EDIT):
        for side in ("0", "1"):
            entity = data.get("entity" + side)
            if data.get("type" + side) == "url" and isinstance(entity, dict) and isinstance(entity.get("name"), str):
                urls.append(entity["name"])
    elif edit_type == URL_EDIT:
        new = data.get("new")
        if isinstance(new, dict) and isinstance(new.get("url"), str):
            urls.append(new["url"])
    return urls

