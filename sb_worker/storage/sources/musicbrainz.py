"""MusicBrainz editors and edits: the first two sources. Each asks its own table what changed, how far it goes and
how many rows it has; both load records through one :class:`MBReader` and share its connections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import quote

from sb_worker.settings import Settings
from sb_worker.storage.db import like_escape
from sb_worker.storage.mb import Mark, MBReader
from sb_worker.storage.sources.base import Source


class _MusicBrainz(Source):
    """What both MusicBrainz sources ask of their table (``musicbrainz.<kind>``, changed at ``changed_at``)."""

    account_kind = "editor"
    site = "MusicBrainz"
    changed_at: ClassVar[str]   # the column that says when a row last changed
    account_query: ClassVar[str]
    named_query: ClassVar[str]  # IDs whose account's name is ILIKE %(pattern)s, newest first, LIMIT %(limit)s

    def __init__(self, settings: Settings, mb: MBReader):
        self.mb = mb
        self.base = settings.musicbrainz_url.rstrip("/")

    @classmethod
    def open(cls, settings: Settings, mb: MBReader) -> Source:
        return cls(settings, mb)

    def _records(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def load(self, ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[int]]:
        records = self._records(ids)
        found = {r["id"] for r in records}
        return records, [i for i in ids if i not in found]

    def account(self, entity_id: int) -> dict[str, Any] | None:
        with self.mb.db.transaction() as cur:
            cur.execute(self.account_query, (entity_id,))
            row = cur.fetchone()
        return {**row, "kind": "editor"} if row else None

    def named(self, text: str, limit: int) -> list[int]:
        with self.mb.db.transaction() as cur:
            cur.execute(self.named_query, {"pattern": f"%{like_escape(text)}%", "limit": limit})
            return [row["id"] for row in cur.fetchall()]

    def changed(self, mark: Mark, overlap: dt.timedelta) -> tuple[list[int], Mark]:
        since = (mark.last_time - overlap) if mark.last_time else dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        with self.mb.db.transaction("long") as cur:  # reads the whole table
            cur.execute(f"SELECT id, {self.changed_at} AS at FROM musicbrainz.{self.kind} "
                        f"WHERE id > %s OR {self.changed_at} > %s ORDER BY id", (mark.last_id, since))
            rows = cur.fetchall()
        ids = [row["id"] for row in rows]
        times = [row["at"] for row in rows if row["at"] is not None]
        new_time = max([*times, mark.last_time] if mark.last_time else times, default=None)
        return ids, Mark(max([mark.last_id, *ids]), new_time)

    def latest(self) -> Mark:
        with self.mb.db.transaction("long") as cur:  # reads the whole table
            cur.execute(f"SELECT max(id) AS last_id, max({self.changed_at}) AS last_time FROM musicbrainz.{self.kind}")
            row = cur.fetchone()
        return Mark(row["last_id"] or 0, row["last_time"])

    @contextmanager
    def all_ids(self, after: int, upto: int) -> Iterator[Iterator[int]]:
        query = f"SELECT id FROM musicbrainz.{self.kind} WHERE id > %s AND id <= %s ORDER BY id"
        with self.mb.streams.stream(query, (after, upto)) as rows:
            yield (row[0] for row in rows)

    @contextmanager
    def changes(self, upto: int) -> Iterator[Iterator[tuple[int, Any]]]:
        changed = self.changed_at if self.kind == "editor" else "NULL"  # an edit does not change after it is made
        query = f"SELECT id, {changed} FROM musicbrainz.{self.kind} WHERE id <= %s ORDER BY id"
        with self.mb.streams.stream(query, (upto,)) as rows:
            yield (tuple(row) for row in rows)

    def count(self, upto: int | None = None) -> int:
        with self.mb.db.transaction("long") as cur:  # reads the whole table
            cur.execute(f"SELECT count(*) AS n FROM musicbrainz.{self.kind} WHERE %(upto)s IS NULL OR id <= %(upto)s",
                        {"upto": upto})
            return cur.fetchone()["n"]

    def close(self) -> None:
        self.mb.close()  # both sources share the reader; closing it twice is harmless


class MusicBrainzEditors(_MusicBrainz):
    kind = shape = "editor"
    changed_at = "last_updated"
    account_query = "SELECT id AS editor_id, name FROM musicbrainz.editor WHERE id = %s"
    named_query = "SELECT id FROM musicbrainz.editor WHERE name ILIKE %(pattern)s ORDER BY id DESC LIMIT %(limit)s"

    def _records(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        return self.mb.load_editors(ids)

    def entity_url(self, entity_id: int, name: str) -> str:
        return f"{self.base}/user/{quote(name, safe='')}"


class MusicBrainzEdits(_MusicBrainz):
    kind = shape = "edit"
    changed_at = "open_time"
    account_query = ("SELECT ed.id AS editor_id, ed.name FROM musicbrainz.edit e "
                     "JOIN musicbrainz.editor ed ON ed.id = e.editor WHERE e.id = %s")
    named_query = ("SELECT e.id FROM musicbrainz.edit e JOIN musicbrainz.editor ed ON ed.id = e.editor "
                   "WHERE ed.name ILIKE %(pattern)s ORDER BY e.id DESC LIMIT %(limit)s")
    scored_by_network = False  # it was trained on accounts, not edits: the weights score edits, with its reputation

    def _records(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        return self.mb.load_edits(ids)

    def entity_url(self, entity_id: int, name: str) -> str:
        return f"{self.base}/edit/{entity_id}"
