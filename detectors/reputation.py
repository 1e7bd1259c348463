"""Reputation: what labelled accounts taught about domains, email providers and spam texts.

Built from labelled records (and, later, from ninja verdicts) and handed to the detectors as data.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from detectors import data

MAX_WORDS = 400  # the start of a text is enough to recognise a copy


@functools.lru_cache(maxsize=1024)  # the campaigns detector and the pipeline both ask, for each text of a chunk
def simhash(skeleton: str) -> int | None:
    """A 64-bit SimHash of the text's words and word pairs (None for texts too short to compare).

    Words and pairs rather than longer shingles: a copy with a word dropped or added here and there, as spam
    tools vary their copies, stays within a few bits, while unrelated texts differ in 20 or more.
    """
    words = skeleton.split()[:MAX_WORDS]
    if len(words) < 8:
        return None
    shingles = [w.encode() for w in words] + [f"{a} {b}".encode() for a, b in zip(words, words[1:])]
    hashes = np.array([zlib.crc32(s) | (zlib.crc32(s, 0x9E3779B9) << 32) for s in shingles], dtype=np.uint64)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)
    return int(np.packbits(votes, bitorder="little").view(np.uint64)[0])


@dataclass(frozen=True)
class Reputation:
    """Counts of confirmed spam and ham by registered domain and email domain, and SimHashes of spam texts.

    A domain is rated only where one owner is behind it. The music and social sites MusicBrainz links to
    (``data.music_sites``: Facebook, YouTube, Bandcamp, …) hold pages of many people, so what some of them did
    says nothing of the next: such domains are left out of every table, those built before this rule included.
    """

    domains: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    email_domains: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    spam_simhashes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        platforms = data.music_sites()
        if any(d in platforms for d in self.domains):
            object.__setattr__(self, "domains", {d: n for d, n in self.domains.items() if d not in platforms})

    @staticmethod
    def spam_share(counts: tuple[int, int] | None) -> tuple[float, int]:
        """(smoothed share of spam, number of accounts seen) for one entry."""
        if not counts:
            return 0.0, 0
        spam, ham = counts
        return (spam + 0.5) / (spam + ham + 1.0), spam + ham

    def to_json(self) -> str:
        """The table as JSON, for a file or a database row."""
        return json.dumps({"domains": self.domains, "email_domains": self.email_domains,
                           "spam_simhashes": [str(h) for h in self.spam_simhashes]}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Reputation:
        """The table saved by :meth:`to_json`."""
        data = json.loads(text)
        return cls({k: tuple(v) for k, v in data["domains"].items()},
                   {k: tuple(v) for k, v in data["email_domains"].items()},
                   tuple(int(h) for h in data["spam_simhashes"]))


def build_reputation(labelled: Iterable[tuple[object, bool]]) -> Reputation:
    """A reputation table from (Features, is_spam) pairs."""
    domains: dict[str, list[int]] = {}
    emails: dict[str, list[int]] = {}
    hashes = set()
    for features, spam in labelled:
        for domain in features.domains:
            domains.setdefault(domain, [0, 0])[0 if spam else 1] += 1
        if features.email_domain:
            emails.setdefault(features.email_domain, [0, 0])[0 if spam else 1] += 1
        if spam and (h := simhash(features.skeleton)) is not None:
            hashes.add(h)
    return Reputation({k: tuple(v) for k, v in sorted(domains.items())},
                      {k: tuple(v) for k, v in sorted(emails.items())}, tuple(sorted(hashes)))
