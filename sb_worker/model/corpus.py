"""Labelled records for fitting and measuring, by source: real text collections, honest text in many languages,
and sample editors.

Each source is one place text comes from, so that a model can be measured on a source it was not fitted to
(``benchmarks.generalisation``): the YouTube and SMS collections, each group of languages of the multilingual
sentences (Universal Dependencies), and the generator's accounts. Real texts become editor records that carry a
bio and nothing else, so they measure what text alone tells; sample editors (``sb_worker.samples.musicbrainz``) carry whole
accounts. Every record names its source (``"source"``). The in-corpus split is by a hash of the text (for the
parallel PUD treebanks, of the sentence's position, so that a sentence and its translations stay on one side).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from sb_worker.samples.musicbrainz import sample_records
from sb_worker.samples.texts import COLLECTIONS, collection_texts

TEST_SHARE = 30  # percent of texts held out
DISGUISED_SHARE = 25  # percent of training spam texts also added in disguise
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "i": "і", "y": "у"}
TRAIN_SAMPLE_SEED, TEST_SAMPLE_SEED = 101, 202
GENERATOR = "generator"
#: The multilingual sentences' languages by group: mostly by script, so that leaving a group out asks whether
#: a script the model has never seen is read as honest text.
LANGUAGE_GROUPS: dict[str, tuple[str, ...]] = {
    "latin-west": ("en", "de", "fr", "es", "it", "pt", "nl", "gl", "sv", "da", "no", "is", "af", "cy", "ga", "fi"),
    "latin-east": ("cs", "pl", "lt", "lv", "ro", "sr", "tr", "id", "vi", "wo", "yo"),
    "cyrillic": ("ru", "uk"),
    "greek-armenian-georgian": ("el", "hy", "ka"),
    "east-asian": ("zh", "ja", "ko", "th"),
    "indic": ("hi", "mr", "bn", "gu", "ta", "ml"),
    "arabic-hebrew-ethiopic": ("ar", "fa", "ug", "he", "am"),
}
PER_LANGUAGE = 80  # multilingual records per language in the training corpus (each of 1–3 sentences)


def disguise(text: str, rng: random.Random) -> str:
    """``text`` in one of the disguises spammers use, chosen at random."""
    how = rng.choice(["homoglyph", "zero-width", "fullwidth", "spaced", "leet"])
    if how == "homoglyph":
        return "".join(HOMOGLYPHS.get(c, c) if rng.random() < 0.5 else c for c in text)
    if how == "zero-width":
        return "".join(c + "\u200b" if c.isalpha() and rng.random() < 0.3 else c for c in text)
    if how == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    if how == "leet":
        return text.translate(str.maketrans("aeiost", "4310$7"))
    # spaced: a few long words spelled out letter by letter, as spammers hide their trigger words
    return " ".join(" ".join(w) if len(w) >= 5 and rng.random() < 0.3 else w for w in text.split(" "))


def _bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100


def _record(source: str, key: str, text: str, label: str) -> dict[str, Any]:
    digest = int(hashlib.sha1(f"{source}\n{key}".encode("utf-8")).hexdigest()[:12], 16)
    return {"id": digest, "bio": text, "label": label, "source": source, "_split": _bucket(key)}


def collection_records(name: str) -> list[dict[str, Any]]:
    """The de-duplicated texts of one real collection ("youtube", "sms") as labelled editor records."""
    return [_record(name, text, text, label) for label, texts in collection_texts(name).items() for text in texts]


@lru_cache(maxsize=None)
def _sentences(language: str) -> tuple[str, tuple[str, ...]]:
    """(file name, sentences) of one language of ``data/multilingual``."""
    folder = resources.files("sb_worker.data").joinpath("multilingual")
    entry = next(e for e in folder.iterdir() if e.name.startswith(f"{language}_") and e.name.endswith(".txt"))
    lines = entry.read_text(encoding="utf-8").splitlines()
    return entry.name, tuple(line.strip() for line in lines if line.strip())


def language_records(group: str, per_language: int | None = PER_LANGUAGE) -> list[dict[str, Any]]:
    """Honest records of one language group: runs of 1–3 consecutive sentences, as a bio is a few sentences."""
    records = []
    for language in LANGUAGE_GROUPS[group]:
        name, sentences = _sentences(language)
        rng = random.Random(name)
        start, made = 0, []
        while start < len(sentences) and (per_language is None or len(made) < per_language):
            size = rng.choice((1, 1, 2, 3))
            # PUD files are translations of one another: key them by position so translations split together
            key = f"pud:{start}" if "_pud" in name else f"{name}:{start}"
            made.append(_record(f"lang:{group}", key, " ".join(sentences[start:start + size]), "ham"))
            start += size
        records += made
    return records


def account_records(split: str, editors: int = 3000, collections: Sequence[str] = COLLECTIONS) -> list[dict[str, Any]]:
    """Sample editor accounts of one split, from a seed of their own; their bios draw on ``collections``."""
    seed = TEST_SAMPLE_SEED if split == "test" else TRAIN_SAMPLE_SEED
    return [{**r, "source": GENERATOR} for r in sample_records(editors, seed, collections=collections)]


def source_names() -> list[str]:
    """Every source of the corpus, in a fixed order."""
    return [*COLLECTIONS, *(f"lang:{g}" for g in LANGUAGE_GROUPS), GENERATOR]


def source_records(source: str, per_language: int | None = PER_LANGUAGE, editors: int = 3000,
                   collections: Sequence[str] = COLLECTIONS) -> list[dict[str, Any]]:
    """All labelled records of one source (the generator's draw on the real ``collections`` given)."""
    if source in COLLECTIONS:
        return collection_records(source)
    if source.startswith("lang:"):
        return language_records(source.removeprefix("lang:"), per_language)
    if source == GENERATOR:
        return account_records("train", editors, collections)
    raise ValueError(f"unknown corpus source {source!r}; sources: {', '.join(source_names())}")


def text_records(split: str) -> list[dict[str, Any]]:
    """The real texts of one split ("train" or "test"): both collections and every language group."""
    records = [r for name in source_names() if name != GENERATOR for r in source_records(name)]
    return [_public(r) for r in records if (r["_split"] < TEST_SHARE) == (split == "test")]


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "_split"}


def disguised_copies(records: list[dict[str, Any]], share: int, seed: int = 3) -> list[dict[str, Any]]:
    """Disguised copies of about ``share`` percent of the spam records."""
    rng = random.Random(seed)
    return [{**r, "id": r["id"] + 500_000, "bio": disguise(r["bio"], rng)}
            for r in records if r["label"] == "spam" and rng.random() * 100 < share]


def with_disguises(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Training records plus disguised copies of some of their spam texts, as spammers send."""
    texts = [r for r in records if r.get("source") != GENERATOR]
    return records + disguised_copies(texts, DISGUISED_SHARE)


def labelled(split: str) -> list[dict[str, Any]]:
    """Everything labelled of one split; training also sees disguised copies of some spam."""
    records = text_records(split) + account_records(split)
    return with_disguises(records) if split == "train" else records
