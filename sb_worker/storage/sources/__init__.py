"""Entity sources: where the records SpamBrainz scans come from, chosen by name in ``SB_SOURCES``.

A source loads records in one of the two shapes the detectors know (DESIGN.md's record format): an account
(``"editor"``: name, bio, website, counts, ...) or a contribution (``"edit"``: its text, the URLs it adds and its
editor's record). It also finds what changed for `sb enqueue`, streams every ID for a backfill, and names the
account behind an entity for reports and trust. Scores, reports and queue messages carry the source's name as
their ``kind``. Feature extraction and the detectors are the same for every source: adding a source touches
neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_worker.errors import BadInput, ConfigError
from sb_worker.settings import Settings
from sb_worker.storage.mb import MBReader
from sb_worker.storage.sources.base import Source
from sb_worker.storage.sources.bookbrainz import BookBrainzEditors
from sb_worker.storage.sources.musicbrainz import MusicBrainzEditors, MusicBrainzEdits

#: Every source there is, by name: what ``SB_SOURCES`` may list. The default is MusicBrainz's two.
SOURCES: dict[str, type[Source]] = {
    "editor": MusicBrainzEditors,
    "edit": MusicBrainzEdits,
    "bookbrainz_editor": BookBrainzEditors,
}


def build_sources(settings: Settings) -> dict[str, Source]:
    """The sources ``SB_SOURCES`` names, in its order; an unknown name is a ConfigError. MusicBrainz's sources share
    one reader (SB_MB_DSN); connections open on first use."""
    mb = MBReader(settings.mb_dsn)
    unknown = [name for name in settings.sources if name not in SOURCES]
    if unknown:
        raise ConfigError(f"SB_SOURCES: unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    sources = {name: SOURCES[name].open(settings, mb) for name in settings.sources}
    for source in sources.values():
        if source.account_kind not in sources:
            raise ConfigError(f"SB_SOURCES: {source.kind!r} needs {source.account_kind!r} too (its accounts)")
    return sources


def source_of(sources: Mapping[str, Source], kind: Any) -> Source:
    """The configured source named ``kind``; anything else is BadInput naming what is configured."""
    if not isinstance(kind, str) or kind not in sources:
        raise BadInput(f"unknown kind {str(kind)[:40]!r}; configured sources (SB_SOURCES): {', '.join(sources)}")
    return sources[kind]
