"""The network's inputs, hashed a chunk at a time in numpy, are exactly what hashing each word, pair and n-gram on
its own gives: the values models were trained on (zlib's CRC-32, gensim's FastText sub-words and vectors)."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest
from gensim.models import FastText
from gensim.models.fasttext import ft_hash_bytes, ft_ngram_hashes

from sb_worker.model import inputs
from sb_worker.model.hashing import LONG, Words, crc32, fnv1a
from sb_worker.model.inputs import HASH_BUCKETS, HASH_CHARS, Chunk, WordVectors, doc_vectors, hashed_ngrams

# Words of one to many bytes a character: ASCII, accents (composed and combining), Cyrillic, Greek, Han, kana,
# Hangul, Thai, emoji of four bytes and a flag of two, a one-letter word and a long one.
WORDS = ["a", "ok", "the", "records", "café", "cafe\u0301", "пластинки", "μουσική", "音乐", "レコード", "음반",
         "ดนตรี", "🎵🎶", "🇩🇪", "x" * 40, "naïve-ünïcödé", "<tag>", "a\u200bb", "https://cheap-essays.com/order"]


def random_bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(n))


def as_ranges(strings: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    buffer = np.frombuffer(b"".join(strings), dtype=np.uint8)
    lengths = np.array([len(s) for s in strings], dtype=np.int64)
    return buffer, np.cumsum(lengths) - lengths, lengths


def test_crc32_and_fasttexts_hash_of_many_ranges_are_zlibs_and_gensims():
    rng = random.Random(5)
    strings = [random_bytes(rng, rng.randrange(0, 60 if i % 10 else 300)) for i in range(300)]  # some LONG
    assert any(len(s) >= LONG for s in strings) and any(len(s) < LONG for s in strings)  # both of crc32's ways
    buffer, starts, lengths = as_ranges(strings)
    priors = np.array([rng.randrange(2**32) for _ in strings], dtype=np.uint32)
    assert crc32(buffer, starts, lengths).tolist() == [zlib.crc32(s) for s in strings]
    assert crc32(buffer, starts, lengths, prior=priors).tolist() == \
        [zlib.crc32(s, int(p)) for s, p in zip(strings, priors)]
    assert fnv1a(buffer, starts, lengths).tolist() == [ft_hash_bytes(s) for s in strings]


def test_each_words_byte_and_character_grams_are_those_hashed_one_at_a_time():
    words = Words(WORDS)
    pointer, grams = words.padded_byte_grams((3, 4, 5))
    for i, word in enumerate(WORDS):
        padded = f"<{word}>".encode()
        expected = [zlib.crc32(padded[s:s + n]) for s in range(len(padded)) for n in (3, 4, 5)
                    if s + n <= len(padded)]
        assert grams[pointer[i]:pointer[i + 1]].tolist() == expected, word
    pointer, grams = words.char_grams(3, 5, 2**16)
    for i, word in enumerate(WORDS):
        assert grams[pointer[i]:pointer[i + 1]].tolist() == ft_ngram_hashes(word, 3, 5, 2**16), word
    assert words.crc32().tolist() == [zlib.crc32(w.encode()) for w in WORDS]


@pytest.fixture(scope="module")
def vectors() -> FastText:
    sentences = [["i", "collect", "old", "records", "café", "音乐"], ["cheap", "essays", "order", "now", "records"]] * 5
    model = FastText(vector_size=8, min_count=2, min_n=3, max_n=5, bucket=2**12, workers=1, seed=1, epochs=2)
    model.build_vocab(corpus_iterable=sentences)
    model.train(corpus_iterable=sentences, total_examples=len(sentences), epochs=2)
    return model


def test_word_vectors_are_gensims_to_the_bit_for_known_unseen_and_kept_words(vectors, monkeypatch):
    monkeypatch.setattr(inputs, "SUB_WORD_CHARS", 12)  # unseen words' sub-words a few words at a time
    words = ["records", "café", "音乐", *WORDS]
    assert "records" in vectors.wv.key_to_index and "пластинки" not in vectors.wv.key_to_index
    gensims = np.stack([vectors.wv.get_vector(w) for w in words])
    unseen = [w for w in WORDS if w not in vectors.wv.key_to_index]
    lookup = WordVectors(vectors, limit=len(unseen) + 3)
    assert np.array_equal(lookup(words), gensims)
    assert lookup.used == len(unseen) and set(lookup.index) == set(unseen)  # kept
    assert np.array_equal(lookup(words[::-1]), gensims[::-1])  # from what it kept
    more = ["new", "words", "here", "too", *unseen[:3]]
    assert np.array_equal(lookup(more), np.stack([vectors.wv.get_vector(w) for w in more]))
    assert set(lookup.index) == set(more[:4])  # too many to keep as well: it kept these alone


def test_a_texts_inputs_are_its_words_pairs_and_grams_hashed_one_by_one(vectors):
    texts = ["i collect old records and add them here", " ".join(WORDS), "", "one",
             "la " * (HASH_CHARS // 3) + "jackpotwins tail", "records records records"]

    def expected(text: str) -> set[int]:
        words = text[:HASH_CHARS].split()
        grams = {zlib.crc32(f"{a} {b}".encode()) for a, b in zip(words, words[1:])}
        for word in words:
            padded = f"<{word}>".encode()
            grams |= {zlib.crc32(word.encode())} | {zlib.crc32(padded[s:s + n]) for n in (3, 4, 5)
                                                    for s in range(len(padded) - n + 1)}
        return {g % HASH_BUCKETS for g in grams}

    chunk = Chunk(texts)
    grams = hashed_ngrams(chunk)
    assert grams.has_sorted_indices and set(grams.data) <= {1.0}
    assert [set(grams[i].indices) for i in range(len(texts))] == [expected(t) for t in texts]
    means = [np.mean([vectors.wv.get_vector(w) for w in t.split()[:500]], axis=0) if t.split() else np.zeros(8)
             for t in texts]
    assert np.allclose(doc_vectors(WordVectors(vectors), chunk), means, rtol=1e-5, atol=1e-6)
