"""The data files detectors read: pattern lists and host lists, loaded once per process."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources


def _lines(*path: str) -> list[str]:
    """The lines of a bundled data file, without blank lines and ``#`` comments (SmokeDetector's convention)."""
    text = resources.files("detectors.data").joinpath(*path).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of every list here: a model trained with other lists read its records otherwise, so it is another
    model (its version includes this)."""
    digest = hashlib.sha256()
    for path in sorted(_files(resources.files("detectors.data")), key=str):
        if path.name.endswith((".txt", ".tsv")):
            digest.update(f"{path.name}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _files(folder) -> Iterator:
    """Every file under ``folder`` (a package's resources), its sub-folders' included."""
    for path in folder.iterdir():
        if path.is_dir():
            yield from _files(path)
        else:
            yield path


@lru_cache(maxsize=None)
def smokedetector(name: str) -> tuple[str, ...]:
    """One SmokeDetector list: ``bad_keywords``, ``blacklisted_websites`` or ``blacklisted_usernames``."""
    return tuple(_lines("smokedetector", f"{name}.txt"))


@lru_cache(maxsize=1)
def spam_phrases() -> tuple[tuple[str, str], ...]:
    """(family, pattern) of SpamBrainz's own rules."""
    return tuple(tuple(line.split("\t", 1)) for line in _lines("spam_phrases.tsv"))  # type: ignore[misc]


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A plain list of words or hosts, lower case."""
    return frozenset(line.strip().lower() for line in _lines(f"{name}.txt"))


@lru_cache(maxsize=1)
def music_sites() -> frozenset[str]:
    """Sites musicians and fans link to: SpamBrainz's own list and the hosts MusicBrainz's URL clean-up knows
    (GPL-2.0-or-later, metabrainz/musicbrainz-server), each also without its ``www.``."""
    hosts = word_list("music_sites") | word_list("musicbrainz_known_sites")
    return frozenset(hosts | {h.removeprefix("www.") for h in hosts})


@lru_cache(maxsize=1)
def shorteners() -> frozenset[str]:
    """URL shortener hosts, from PeterDaveHello/url-shorteners via the antispam-link-shorteners package (MIT)."""
    text = resources.files("antispam_link_shorteners").joinpath("shorteners.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def disposable_email_domains() -> frozenset[str]:
    """Disposable email providers, from the disposable-email-domains project (MIT)."""
    from disposable_email_domains import blocklist

    return frozenset(blocklist)
