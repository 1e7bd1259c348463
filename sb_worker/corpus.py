"""Labelled records for fitting and measuring: real texts from the bundled collections, and sample editors.

The real texts (YouTube and SMS collections, de-duplicated) become editor records that carry a bio and nothing
else, so they measure what text alone tells. Sample editors (``sb_worker.sample``) carry whole accounts. Every
split is by a hash of the text, so a text never lands on both sides and the split never changes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sb_worker.sample import real_texts, sample_records

TEST_SHARE = 30  # percent of texts held out
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


def labelled(split: str) -> list[dict[str, Any]]:
    """Everything labelled of one split."""
    return text_records(split) + account_records(split)
