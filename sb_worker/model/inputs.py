"""What the network reads: a record's account and payload figures, its words, word pairs and character n-grams
hashed into buckets, and its FastText document vector, computed per chunk with caches for repeated words."""


from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from gensim.models import FastText
from scipy.sparse import csr_matrix

from detectors import data
from detectors.base import Features, Verdict

# Words, word pairs and character 3-5-grams of words are hashed into this many inputs. With 2**13, left out of
# training, the generator's accounts ranked at ROC-AUC 0.924 and YouTube at 0.839; with 2**15, 0.972 and 0.859
# (likely, the words of unseen spam had shared inputs with honest ones); 2**16 gave the generator no more
# (benchmarks/RESULTS.md).
HASH_BUCKETS = 2**15


HASH_CHARS = 1_000    # of a text's first characters: enough to recognise it, and a bound on time


# Figures the network reads beside the text, each scaled by the training data's mean and spread: first those of
# the payload (what the record shows), then those of the account, which may only shift a score (ACCOUNT_SHIFT).
# Links to the music sites MusicBrainz links to (``data.music_sites``) are left to the link detectors, as they leave
# them: pages there are what musicians and fans link to, so neither these figures nor the text count them.
PAYLOAD_META = ("log_text_length", "own_text_links", "phones", "messengers", "text_emails", "own_website", "disguises")


ACCOUNT_META = ("beginner", "beginner_known", "log_edits", "log_accepted_edits", "log_votes", "log_notes",
                "activity_known", "gender_set", "area_set", "birth_date_set", "log_hours_to_update", "update_known",
                "log_hours_to_confirm", "confirm_known")


META = PAYLOAD_META + ACCOUNT_META


def meta_row(f: Features) -> list[float]:
    """The account evidence of one record, in ``META`` order (unknown counts as 0, with a "known" flag)."""
    def log(value: float | None) -> float:
        return math.log1p(max(0.0, value)) if value is not None else 0.0
    platforms = data.music_sites()
    own_links = sum(1 for d in f.text_url_domains if d not in platforms)  # a domain for each link, "" if none
    return [
        log(f.text_length), own_links, len(f.phones), len(f.messengers), len(f.text_email_domains),
        float(bool(f.website) and f.website_domain not in platforms), len(f.disguises),
        float(bool(f.is_beginner)), float(f.is_beginner is not None), log(f.edit_count),
        log(f.accepted_edit_count), log(f.vote_count), log(f.note_count), float(f.edit_count is not None),
        float(bool(f.gender_set)), float(bool(f.area_set)), float(bool(f.birth_date_set)), log(f.hours_to_update),
        float(f.hours_to_update is not None), log(f.hours_to_confirm), float(f.hours_to_confirm is not None),
    ]


CACHE_WORDS = 100_000  # words whose hashed inputs and vectors a process keeps: text repeats its words


class _WordCache(dict):
    """A bounded memo from a word to what it costs to compute (emptied when full: simple and fast enough)."""

    def __init__(self, compute: Callable[[str], Any], limit: int = CACHE_WORDS):
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, word: str) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = self.compute(word)
        return value


def _word_buckets(word: str) -> np.ndarray:
    """The hashed inputs one word sets: the word itself and its character 3–5-grams (``<`` and ``>`` mark its ends)."""
    padded = f"<{word}>".encode()
    grams = [word.encode()] + [padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
    return np.fromiter((zlib.crc32(g) % HASH_BUCKETS for g in grams), dtype=np.int64, count=len(grams))


_BUCKETS = _WordCache(_word_buckets)


def network_text(f: Features) -> str:
    """The words of a record the network reads: its skeleton, less the links to music sites (see PAYLOAD_META)."""
    platforms = data.music_sites()
    linked = [d for d in f.text_url_domains if d in platforms]
    if not linked:
        return f.skeleton
    return " ".join(w for w in f.skeleton.split() if not any(d in w for d in linked))


def hashed_words(text: str) -> list[str]:
    """The words of a skeleton that the hashed input reads."""
    return text[:HASH_CHARS].split()


def whole_hashed_words(text: str) -> list[str]:
    """:func:`hashed_words` less a last word cut at ``HASH_CHARS``: read in part, it is not a word of the text."""
    words = hashed_words(text)
    cut = len(text) > HASH_CHARS and not text[HASH_CHARS - 1].isspace() and not text[HASH_CHARS].isspace()
    return words[:-1] if cut else words


def hashed_ngrams(skeletons: Sequence[str]) -> csr_matrix:
    """Presence of words, word pairs and character n-grams, hashed (CRC-32: the same in every process), as a sparse
    matrix: a text sets a few hundred of the ``HASH_BUCKETS`` inputs, and a dense chunk of 512 would be 64 MB.

    A word's inputs are computed once per process and reused: only word pairs are hashed per text."""
    per_text = []
    for text in skeletons:
        words = hashed_words(text)
        pairs = np.fromiter((zlib.crc32(f"{a} {b}".encode()) % HASH_BUCKETS for a, b in zip(words, words[1:])),
                            dtype=np.int64, count=max(0, len(words) - 1))
        per_text.append(np.concatenate([pairs, *(_BUCKETS[w] for w in dict.fromkeys(words))]))
    columns = np.concatenate(per_text) if per_text else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(skeletons)), [len(c) for c in per_text])
    grams = csr_matrix((np.ones(len(columns), dtype=np.float32), (rows, columns)),
                       shape=(len(skeletons), HASH_BUCKETS))  # an input a text sets twice is summed here …
    grams.data[:] = 1.0  # … and present once
    return grams


def doc_vectors(vectors: FastText, skeletons: Sequence[str], cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """A mean word vector per text (sub-word n-grams give vectors to unseen and disguised words).

    Each distinct word's vector is looked up once per chunk (and once per process with a ``cache``); the means
    are one sparse product of word counts and vectors."""
    cache = cache if cache is not None else _WordCache(vectors.wv.get_vector)
    index: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(skeletons):
        for word in text.split()[:500]:
            cols.append(index.setdefault(word, len(index)))
            rows.append(i)
    out = np.zeros((len(skeletons), vectors.wv.vector_size), dtype=np.float32)
    if not index:
        return out
    table = np.stack([cache[w] for w in index]).astype(np.float32)
    counts = csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(skeletons), len(index)))
    lengths = np.asarray(counts.sum(axis=1)).reshape(-1)
    present = lengths > 0
    out[present] = (counts @ table)[present] / lengths[present, None]
    return out


def network_inputs(features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]], vectors: FastText,
                   detectors: Sequence[str], meta_mean: np.ndarray, meta_scale: np.ndarray,
                   cache: dict[str, np.ndarray] | None = None) -> list[Any]:
    """The network's five inputs for a batch, the same in training and in serving: arrays, and the n-grams sparse
    (Keras trains on :func:`~sb_worker.model.architecture.keras_inputs`)."""
    texts = [network_text(f) for f in features]
    text = doc_vectors(vectors, texts, cache)
    grams = hashed_ngrams(texts)
    meta = ((np.array([meta_row(f) for f in features], dtype=np.float32).reshape(len(features), len(META))
             - meta_mean) / meta_scale).astype(np.float32)
    payload, account = meta[:, :len(PAYLOAD_META)], meta[:, len(PAYLOAD_META):]
    index = {name: i for i, name in enumerate(detectors)}
    points = np.zeros((len(features), len(detectors)), dtype=np.float32)
    for row, record_verdicts in enumerate(verdicts):
        for v in record_verdicts:
            if v.detector in index:
                points[row, index[v.detector]] = v.points / 50.0
    return [text, grams, payload, account, points]
