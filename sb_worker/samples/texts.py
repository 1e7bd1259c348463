"""The real texts the sample's accounts write: the bundled YouTube and SMS collections (``sb_worker/data``, see its
SOURCES.md) and SpamBrainz's own bios in many languages (``bios.tsv``)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

#: The real text collections bundled in ``sb_worker/data`` (see its SOURCES.md).
COLLECTIONS = ("youtube", "sms")


@lru_cache(maxsize=None)
def collection_texts(name: str) -> dict[str, tuple[str, ...]]:
    """The de-duplicated texts of one bundled collection ("youtube" or "sms"), by label ("spam" or "ham")."""
    texts: dict[str, dict[str, None]] = {"spam": {}, "ham": {}}
    data = resources.files("sb_worker.data")
    if name == "youtube":
        for entry in sorted(data.iterdir(), key=lambda e: e.name):
            if entry.name.startswith("Youtube") and entry.name.endswith(".csv"):
                for row in csv.DictReader(entry.read_text(encoding="utf-8").splitlines()):
                    texts["spam" if row["label"] == "1" else "ham"][row["CONTENT"].strip()] = None
    elif name == "sms":
        for line in data.joinpath("SMSSpamCollection.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            label, _, text = line.partition("\t")
            texts["spam" if label == "spam" else "ham"][text.strip()] = None
    else:
        raise ValueError(f"unknown text collection {name!r}; bundled: {', '.join(COLLECTIONS)}")
    return {label: tuple(t for t in found if t) for label, found in texts.items()}


def real_texts(collections: Sequence[str] = COLLECTIONS) -> dict[str, list[str]]:
    """The de-duplicated real texts of the given bundled collections, by label ("spam" or "ham")."""
    merged: dict[str, dict[str, None]] = {"spam": {}, "ham": {}}
    for name in collections:
        for label, texts in collection_texts(name).items():
            merged[label].update(dict.fromkeys(texts))
    return {label: list(found) for label, found in merged.items()}


@lru_cache(maxsize=1)
def written_bios() -> dict[str, tuple[str, ...]]:
    """SpamBrainz's own profile texts in many languages (``data/bios.tsv``, label, language, text), by label:
    "spam", "ham", and "site" (honest musicians' bios that link their own site)."""
    found: dict[str, list[str]] = {"spam": [], "ham": [], "site": []}
    text = resources.files("sb_worker.data").joinpath("bios.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            label, _language, bio = line.split("\t")
            found[label].append(bio)
    return {label: tuple(bios) for label, bios in found.items()}
