"""The detector contract: what a detector reads (:class:`Features`) and what it answers (:class:`Verdict`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Features:
    """What the detectors may know about one editor or edit, computed once per record.

    ``None`` means unknown (the record did not say); detectors treat unknown as "no evidence".
    """

    kind: str
    entity_id: int
    text: str = ""                       # the free text the account wrote: bio for editors, edit text for edits
    website: str = ""                    # the editor's website field
    website_domain: str = ""             # its host, lower case, without "www."
    text_urls: tuple[str, ...] = ()      # URLs written in ``text``
    text_domains: tuple[str, ...] = ()   # their hosts, sorted, lower case, without "www."
    added_urls: tuple[str, ...] = ()     # URLs an edit adds to MusicBrainz (relationships, URL edits)
    is_beginner: bool | None = None      # MB's BEGINNER flag on the (editing) account
    edit_count: int | None = None
    accepted_edit_count: int | None = None


@dataclass(frozen=True)
class Verdict:
    """One detector's answer for one record: points of evidence for spam and why, in words a ninja reads."""

    detector: str
    points: float
    reasons: tuple[str, ...] = ()


class Detector:
    """Base of every detector: ``__init__`` stores parameters only, ``score`` is pure."""

    name: ClassVar[str]

    def score(self, batch: Sequence[Features]) -> list[Verdict]:
        """One verdict per record of ``batch``, in order."""
        raise NotImplementedError


class DetectorConfigError(ValueError):
    """The detector configuration names an unknown detector or option."""
