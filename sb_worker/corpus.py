"""Labelled records for fitting and measuring: real texts from the bundled collections, and sample editors.

The real texts (YouTube and SMS collections, de-duplicated) become editor records that carry a bio and nothing
else, so they measure what text alone tells. Sample editors (``sb_worker.sample``) carry whole accounts. Every
split is by a hash of the text, so a text never lands on both sides and the split never changes.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from sb_worker.sample import real_texts, sample_records

TEST_SHARE = 30  # percent of texts held out
DISGUISED_SHARE = 25  # percent of training spam texts also added in disguise
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "i": "і", "y": "у"}


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
TRAIN_SAMPLE_SEED, TEST_SAMPLE_SEED = 101, 202


def _bucket(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 100


def text_records(split: str) -> list[dict[str, Any]]:
    """The de-duplicated real texts of one split ("train" or "test") as labelled editor records."""
    records = []
    for label, texts in real_texts().items():
        for text in texts:
            held_out = _bucket(text) < TEST_SHARE
            if held_out == (split == "test"):
                records.append({"id": _bucket(text) * 10**6 + len(records), "bio": text, "label": label})
    return records


def account_records(split: str, editors: int = 3000) -> list[dict[str, Any]]:
    """Sample editor accounts of one split, from a seed of their own."""
    return sample_records(editors, TEST_SAMPLE_SEED if split == "test" else TRAIN_SAMPLE_SEED)


def disguised_copies(records: list[dict[str, Any]], share: int, seed: int = 3) -> list[dict[str, Any]]:
    """Disguised copies of about ``share`` percent of the spam records."""
    rng = random.Random(seed)
    return [{**r, "id": r["id"] + 500_000, "bio": disguise(r["bio"], rng)}
            for r in records if r["label"] == "spam" and rng.random() * 100 < share]


def labelled(split: str) -> list[dict[str, Any]]:
    """Everything labelled of one split; training also sees disguised copies of some spam, as spammers send."""
    texts = text_records(split)
    extra = disguised_copies(texts, DISGUISED_SHARE) if split == "train" else []
    return texts + extra + account_records(split)
