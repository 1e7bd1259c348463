"""What the network reads: a record's account and payload figures, its words, word pairs and character n-grams
hashed into buckets, and its FastText document vector: computed per chunk in numpy, each distinct word once (and
the vectors computed from sub-words kept for the next chunks)."""


from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from gensim.models import FastText
from scipy.sparse import csr_matrix

from detectors import data
from detectors.base import Features, Verdict
from sb_worker.model.hashing import Words

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


VECTOR_WORDS = 500  # of a text's words, the first this many make its document vector


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


class Chunk:
    """A chunk's texts as the network reads them: their distinct words, and which text reads which (by index into
    ``words``) for its document vector and for its hashed inputs."""

    def __init__(self, texts: Sequence[str]):
        index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self.read = [list(map(index.__getitem__, text.split()[:VECTOR_WORDS])) for text in texts]
        self.hashed = [list(map(index.__getitem__, hashed_words(text))) for text in texts]
        self.words = list(index)


def word_inputs(words: Words) -> tuple[csr_matrix, np.ndarray]:
    """Per word, how often it sets each hashed input (the word itself, then its byte 3–5-grams, ``<`` and ``>``
    marking its ends), and its CRC-32, from which its word pairs' hashes go on."""
    whole = words.crc32()
    pointer, grams = words.padded_byte_grams((3, 4, 5))
    pointer = pointer + np.arange(len(pointer))  # a row is the word's own input, then its n-grams'
    first = np.zeros(pointer[-1], dtype=bool)
    first[pointer[:-1]] = True
    columns = np.empty(pointer[-1], dtype=np.int64)
    columns[first], columns[~first] = whole % HASH_BUCKETS, grams % HASH_BUCKETS
    return csr_matrix((np.ones(len(columns), dtype=np.float32), columns, pointer),
                      shape=(len(whole), HASH_BUCKETS)), whole  # an input set twice is there twice, and counts so


def _rows(per_text: Sequence[Sequence[int]], width: int) -> csr_matrix:
    """Per text, how often it holds each of ``width`` things, from the lists of their indices."""
    columns = np.fromiter(itertools.chain.from_iterable(per_text), dtype=np.int64)
    rows = np.repeat(np.arange(len(per_text)), [len(c) for c in per_text])
    return csr_matrix((np.ones(len(columns), dtype=np.float32), (rows, columns)), shape=(len(per_text), width))


def hashed_ngrams(chunk: Chunk) -> csr_matrix:
    """Presence of words, word pairs and character n-grams, hashed (CRC-32: the same in every process), as a sparse
    matrix: a text sets a few hundred of the ``HASH_BUCKETS`` inputs, and a dense chunk of 512 would be 64 MB.

    Only the words in a text's first ``HASH_CHARS`` characters are hashed: a word read for the vector alone may be
    20,000 letters long."""
    flat = np.fromiter(itertools.chain.from_iterable(chunk.hashed), dtype=np.int64)
    used, at = np.unique(flat, return_inverse=True)  # the hashed words, numbered anew
    words = Words([chunk.words[i] for i in used.tolist()])
    per_word, whole = word_inputs(words)
    lengths = np.array([len(ids) for ids in chunk.hashed], dtype=np.int64)
    rows = np.repeat(np.arange(len(chunk.hashed)), lengths)
    followed = np.ones(len(flat), dtype=bool)  # by the next word of its text
    followed[np.cumsum(lengths)[lengths > 0] - 1] = False
    pair = followed[:-1]  # a word and the next one are a pair of one text
    pair_hashes = words.pair_crc32(whole, at[:-1][pair], at[1:][pair])
    texts = csr_matrix((np.ones(len(at), dtype=np.float32), (rows, at)), shape=(len(chunk.hashed), len(used)))
    word_pairs = csr_matrix((np.ones(len(pair_hashes), dtype=np.float32),
                             (rows[:-1][pair], pair_hashes % HASH_BUCKETS)), shape=(len(chunk.hashed), HASH_BUCKETS))
    grams = texts @ per_word + word_pairs
    grams.sum_duplicates()
    grams.data[:] = 1.0  # an input a text sets twice is present once
    return grams


CACHE_WORDS = 100_000  # computed word vectors a process keeps, per model: text repeats its words


class WordVectors:
    """A model's FastText word vectors for a chunk's distinct words at once, as gensim's ``get_vector`` gives them:
    the trained vector of a word in the vocabulary, else the mean of its sub-words' vectors (sub-words give vectors
    to unseen and disguised words). The computed ones of up to ``CACHE_WORDS`` words are kept (all dropped when
    full: simple, and what is common comes back at once)."""

    def __init__(self, model: FastText, limit: int = CACHE_WORDS):
        self.model, self.limit = model, limit
        self.kept = np.empty((limit, model.wv.vector_size), dtype=np.float32)
        self.index: dict[str, int] = {}  # word: its row of ``kept``
        self.used = 0

    def __call__(self, words: Sequence[str]) -> np.ndarray:
        wv = self.model.wv
        at = np.fromiter((wv.key_to_index.get(w, -1) for w in words), dtype=np.int64, count=len(words))
        out = np.empty((len(words), wv.vector_size), dtype=np.float32)
        out[at >= 0] = wv.vectors[at[at >= 0]]
        unseen = np.flatnonzero(at < 0)
        kept = np.fromiter((self.index.get(words[i], -1) for i in unseen), dtype=np.int64, count=len(unseen))
        out[unseen[kept >= 0]] = self.kept[kept[kept >= 0]]
        new = [words[i] for i in unseen[kept < 0]]
        if new:
            fresh = np.concatenate([self._from_sub_words(batch) for batch in _batches(new, SUB_WORD_CHARS)])
            out[unseen[kept < 0]] = fresh
            if self.used + len(new) > self.limit:
                self.index, self.used = {}, 0
            if len(new) <= self.limit:
                self.kept[self.used:self.used + len(new)] = fresh
                self.index.update(zip(new, range(self.used, self.used + len(new))))
                self.used += len(new)
        return out

    def _from_sub_words(self, words: Sequence[str]) -> np.ndarray:
        """The vectors of unseen ``words``: the mean of their sub-words' vectors."""
        wv = self.model.wv
        pointer, buckets = Words(words).char_grams(wv.min_n, wv.max_n, wv.bucket)
        sub_words = csr_matrix((np.ones(len(buckets), dtype=np.float32), buckets, pointer),
                               shape=(len(words), len(wv.vectors_ngrams)))  # gensim's order: the same sums
        return (sub_words @ wv.vectors_ngrams) / np.diff(pointer).astype(np.float32)[:, None]


SUB_WORD_CHARS = 1_000_000  # characters whose sub-words are hashed at once: a bound on memory (about 100 MB)


def _batches(words: list[str], characters: int) -> Iterator[list[str]]:
    """``words`` in order, in runs of about ``characters`` characters (a longer word is a run of its own)."""
    start, size = 0, 0
    for i, word in enumerate(words):
        if size and size + len(word) > characters:
            yield words[start:i]
            start, size = i, 0
        size += len(word)
    yield words[start:]


def doc_vectors(vectors: WordVectors, chunk: Chunk) -> np.ndarray:
    """A mean word vector per text: one sparse product of word counts and the chunk's distinct words' vectors."""
    out = np.zeros((len(chunk.read), vectors.model.wv.vector_size), dtype=np.float32)
    if not chunk.words:
        return out
    counts = _rows(chunk.read, len(chunk.words))
    lengths = np.asarray(counts.sum(axis=1)).reshape(-1)
    present = lengths > 0
    out[present] = (counts @ vectors(chunk.words))[present] / lengths[present, None]
    return out


def network_inputs(features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]], vectors: WordVectors,
                   detectors: Sequence[str], meta_mean: np.ndarray, meta_scale: np.ndarray) -> list[Any]:
    """The network's five inputs for a batch, the same in training and in serving: arrays, and the n-grams sparse
    (Keras trains on :func:`~sb_worker.model.architecture.keras_inputs`)."""
    chunk = Chunk([network_text(f) for f in features])
    text = doc_vectors(vectors, chunk)
    grams = hashed_ngrams(chunk)
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
