"""Hashes of many byte strings at once: CRC-32 as zlib computes it, and FastText's FNV-1a as gensim computes it.

Every string is a range of one byte buffer. A hash runs one byte position at a time over all the ranges still that
long, longest first, so a chunk's tens of thousands of words and n-grams cost a few numpy operations per byte
position instead of a Python call each (and the few ranges of ``LONG`` bytes or more a call of zlib each). The values
are those of ``zlib.crc32`` and gensim's ``ft_hash_bytes``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table


_CRC = _crc_table()
_ALL = np.uint32(0xFFFFFFFF)
_SPACE = np.frombuffer(b" ", dtype=np.uint8)
_FNV_START, _FNV_PRIME = np.uint32(2166136261), np.uint32(16777619)
# FastText (and so gensim) reads each byte as a signed char: bytes from 0x80 are sign-extended before the XOR.
_FNV_BYTE = np.array([b if b < 0x80 else b | 0xFFFFFF00 for b in range(256)], dtype=np.uint32)


def _crc_step(state: np.ndarray, byte: np.ndarray) -> np.ndarray:
    return _CRC[(state ^ byte) & 0xFF] ^ (state >> 8)


def _fnv_step(state: np.ndarray, byte: np.ndarray) -> np.ndarray:
    return (state ^ _FNV_BYTE[byte]) * _FNV_PRIME


def _fold(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray, state: np.ndarray,
          step: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """Feed each range's bytes, in order, to its own state; the states after the last byte."""
    if not len(starts):
        return state.copy()
    order = np.argsort(-lengths, kind="stable")
    starts, state = starts[order], state[order]
    longer = np.searchsorted(-lengths[order], -np.arange(int(lengths.max())), side="left")  # ranges longer than k
    for k, still in enumerate(longer):
        state[:still] = step(state[:still], buffer[starts[:still] + k])
    out = np.empty_like(state)
    out[order] = state
    return out


LONG = 64  # bytes from which a range is left to zlib itself: a 20,000-letter word would be 20,000 steps here


def crc32(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
    """``zlib.crc32(bytes(range), prior)`` of every range of ``buffer`` (uint8), as uint32."""
    prior = np.zeros(len(starts), dtype=np.uint32) if prior is None else prior.astype(np.uint32)
    short = lengths < LONG
    out = np.empty(len(starts), dtype=np.uint32)
    out[short] = _fold(buffer, starts[short], lengths[short], prior[short] ^ _ALL, _crc_step) ^ _ALL
    for i in np.flatnonzero(~short).tolist():  # few: links, and what no one writes
        out[i] = zlib.crc32(buffer[starts[i]:starts[i] + lengths[i]].tobytes(), int(prior[i]))
    return out


def fnv1a(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """gensim's ``ft_hash_bytes(bytes(range))`` (FastText's hash of a sub-word) of every range, as uint32."""
    return _fold(buffer, starts, lengths, np.full(len(starts), _FNV_START), _fnv_step)


class Words:
    """Words (a chunk's distinct words) as one buffer of UTF-8 ``<word>`` (FastText's padding), with where each one
    lies in it."""

    def __init__(self, words: Sequence[str]):
        self.words = words
        self.buffer = np.frombuffer(("<" + "><".join(words) + ">").encode() if words else b"", dtype=np.uint8)
        self.lengths = np.fromiter(map(len, map(str.encode, words)), dtype=np.int64, count=len(words))  # in bytes
        self.starts = np.cumsum(self.lengths + 2) - self.lengths - 1  # of each word, after its "<"

    def crc32(self) -> np.ndarray:
        """``zlib.crc32`` of each word."""
        return crc32(self.buffer, self.starts, self.lengths)

    def pair_crc32(self, whole: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """``zlib.crc32`` of each pair of words ``first[i]`` and ``second[i]`` written with a space between them,
        continued from the CRC-32 of the first word (``whole``, as :meth:`crc32` gives it)."""
        space = crc32(_SPACE, np.zeros(len(first), dtype=np.int64), np.ones(len(first), dtype=np.int64),
                      prior=whole[first])
        return crc32(self.buffer, self.starts[second], self.lengths[second], prior=space)

    def padded_byte_grams(self, sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """CRC-32 of every run of ``sizes`` bytes of each ``<word>``, by start and then length; as a CSR row
        pointer and hashes.

        The runs from every position of the buffer grow one byte at a time together: the CRC after a run's
        n-th byte is its n-gram's, kept where those n bytes lie within one word."""
        size = len(self.buffer)
        owner = np.repeat(np.arange(len(self.words)), self.lengths + 2)
        room = (self.starts + self.lengths + 1)[owner] - np.arange(size)  # bytes from each position to its word's end
        padded = np.concatenate([self.buffer, np.zeros(max(sizes), dtype=np.uint8)])
        state, hashes, kept = np.full(size, _ALL), [], []
        for n in range(1, max(sizes) + 1):
            state = _crc_step(state, padded[n - 1:n - 1 + size])
            if n in sizes:
                hashes.append(state ^ _ALL)
                kept.append(room >= n)
        return _per_word(owner, len(self.words), hashes, kept)

    def char_grams(self, shortest: int, longest: int, buckets: int) -> tuple[np.ndarray, np.ndarray]:
        """FastText's sub-words of each word: its runs of ``shortest``–``longest`` characters of ``<word>``, by
        start and then length (gensim's ``compute_ngrams_bytes`` order), hashed into ``buckets``; as a CSR row
        pointer and bucket indices. As in :meth:`padded_byte_grams`, the runs grow together, a character a step."""
        starts = np.flatnonzero((self.buffer & 0xC0) != 0x80)  # where each character starts
        bounds = np.append(starts, len(self.buffer))
        width = np.diff(bounds)  # its bytes
        counts = np.fromiter(map(len, self.words), dtype=np.int64, count=len(self.words)) + 2  # characters of <word>
        owner = np.repeat(np.arange(len(self.words)), counts)
        room = np.cumsum(counts)[owner] - np.arange(len(starts))  # characters from each one to its word's end
        state, hashes, kept = np.full(len(starts), _FNV_START), [], []
        for n in range(1, longest + 1):
            at = np.minimum(np.arange(len(starts)) + n - 1, len(starts) - 1)  # the character that run n adds
            state = _fnv_step(state, self.buffer[bounds[at]])
            for extra in range(1, 4):  # the further bytes of characters beyond ASCII, where there are any
                more = np.flatnonzero(width[at] > extra)
                if not len(more):
                    break
                state[more] = _fnv_step(state[more], self.buffer[bounds[at[more]] + extra])
            if n >= shortest:
                hashes.append(state.copy())
                kept.append(room >= n)
        pointer, hashes = _per_word(owner, len(self.words), hashes, kept)
        return pointer, hashes % buckets


def _per_word(owner: np.ndarray, words: int, hashes: Sequence[np.ndarray],
              kept: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the runs kept, per start (whose word is ``owner``) and then length, as a CSR row pointer and
    int64 hashes."""
    fits = np.stack(kept, axis=1)  # per start, per length: row-major order is start, then length
    pointer = np.concatenate([[0], np.cumsum(np.bincount(owner, weights=fits.sum(axis=1), minlength=words))])
    return pointer.astype(np.int64), np.stack(hashes, axis=1)[fits].astype(np.int64)
