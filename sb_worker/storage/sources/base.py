"""The source contract: what a source of records provides (see ``sb_worker.storage.sources``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from sb_worker.scoring.features import profile_fingerprint
from sb_worker.settings import Settings
from sb_worker.storage.mb import Mark, MBReader


class Source:
    """What every source provides; see the module docstring."""

    kind: ClassVar[str]           # its name in SB_SOURCES, and the ``kind`` of its scores and reports
    shape: ClassVar[str]          # "editor" (an account) or "edit" (a contribution): how its records are read
    account_kind: ClassVar[str]   # the source whose account an entity belongs to (itself, for accounts)
    site: ClassVar[str]           # the project, in words ("MusicBrainz")
    scored_by_network: ClassVar[bool] = True  # the model's network scores its records (it was trained on records like them)

    @classmethod
    def open(cls, settings: Settings, mb: MBReader) -> Source:
        """The source for ``settings``; MusicBrainz's sources share the runtime's reader ``mb``."""
        return cls(settings)

    def load(self, ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[int]]:
        """Records for ``ids`` (in their order) and the IDs that do not exist."""
        raise NotImplementedError

    def account(self, entity_id: int) -> dict[str, Any] | None:
        """The account an entity is about: ``{"kind", "editor_id", "name"}`` (None when it is gone)."""
        raise NotImplementedError

    def entity_url(self, entity_id: int, name: str) -> str:
        """Where people see the entity on its site."""
        raise NotImplementedError

    def named(self, text: str, limit: int) -> list[int]:
        """IDs (at most ``limit``, newest first) of entities whose account's name contains ``text``, any case: what
        the review page's search by name asks for."""
        raise NotImplementedError

    def changed(self, mark: Mark, overlap: dt.timedelta) -> tuple[list[int], Mark]:
        """IDs past ``mark`` (new rows, or rows touched within ``overlap`` before it) and the mark to store next."""
        raise NotImplementedError

    def latest(self) -> Mark:
        """The mark that covers every row there is now."""
        raise NotImplementedError

    def all_ids(self, after: int, upto: int) -> AbstractContextManager[Iterator[int]]:
        """Every ID in ``(after, upto]``, in order, streamed."""
        raise NotImplementedError

    def changes(self, upto: int) -> AbstractContextManager[Iterator[tuple[int, Any]]]:
        """(ID, time of its last change or None) for every row up to ``upto``, in order, streamed."""
        raise NotImplementedError

    def count(self, upto: int | None = None) -> int:
        """How many rows there are (up to ID ``upto`` when given)."""
        raise NotImplementedError

    def fingerprint(self, record: Mapping[str, Any]) -> str | None:
        """What trust in an account is given for (None for contributions, which are not trusted themselves)."""
        return profile_fingerprint(record) if self.shape == "editor" else None

    def close(self) -> None:
        """Close connections (sources sharing a reader close it once, through the runtime)."""
