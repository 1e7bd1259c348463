"""MusicBrainz editors and edits: the first two sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import quote

from sb_worker.mb import Mark, MBReader
from sb_worker.settings import Settings
from sb_worker.sources.base import Source


class _MusicBrainz(Source):
    """MusicBrainz editors and edits, both read through one :class:`MBReader`."""

    account_kind = "editor"
    site = "MusicBrainz"

    def __init__(self, settings: Settings, mb: MBReader):
        self.mb = mb
        self.base = settings.musicbrainz_url.rstrip("/")

    @classmethod
    def open(cls, settings: Settings, mb: MBReader) -> Source:
        return cls(settings, mb)

    def load(self, ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[int]]:
        return self.mb.load(self.kind, ids)

    def account(self, entity_id: int) -> dict[str, Any] | None:
        found = self.mb.account(self.kind, entity_id)
        return {**found, "kind": "editor"} if found else None

    def changed(self, mark: Mark, overlap: dt.timedelta) -> tuple[list[int], Mark]:
        return self.mb.changed(self.kind, mark, overlap)

    def latest(self) -> Mark:
        return self.mb.latest(self.kind)

    def all_ids(self, after: int, upto: int) -> AbstractContextManager[Iterator[int]]:
        return self.mb.all_ids(self.kind, after, upto)

    def changes(self, upto: int) -> AbstractContextManager[Iterator[tuple[int, Any]]]:
        return self.mb.changes(self.kind, upto)

    def count(self, upto: int | None = None) -> int:
        return self.mb.count(self.kind, upto)


class MusicBrainzEditors(_MusicBrainz):
    kind = shape = "editor"

    def entity_url(self, entity_id: int, name: str) -> str:
        return f"{self.base}/user/{quote(name, safe='')}"


class MusicBrainzEdits(_MusicBrainz):
    kind = shape = "edit"
    network = False  # the network was trained on accounts, not edits: the weights score edits, with its reputation

    def entity_url(self, entity_id: int, name: str) -> str:
        return f"{self.base}/edit/{entity_id}"
