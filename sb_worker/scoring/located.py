"""Where each character of a text's skeleton came from: ``normalise``'s rewrites again, each keeping the place in the
original of every character it writes, so that what a rule matched in the skeleton can be shown where it stands in
the text as written (a homoglyph word marked over its disguised letters), and the disguises themselves found."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from sb_worker.scoring.text import (_AT, _AT_HINT, _DOT, _DOT_HINT, _FANCY, _FORMAT, _HIDING, _LATIN_MARKS, _LEET,
                                    _LEET_HINT, _LEET_WORD, _LOOKALIKE, _SPACED, _SPACED_SEP, MAX_CHARS,
                                    _latin_confusables, fold_disguised, normalise)


# White space, then the rest of a word. White space is never a combining mark, so a base character's run of
# marks never straddles two of these.
_WORDS = re.compile(r"\s*\S+|\s+")


class _Mapped:
    """A string with, for each of its characters, where it came from in the original: [start, end) of the
    original characters it stands for. Each rewrite of :func:`normalise` has a mapped twin here."""

    def __init__(self, text: str, starts: list[int], ends: list[int]):
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def of(cls, text: str) -> _Mapped:
        return cls(text, list(range(len(text))), list(range(1, len(text) + 1)))

    def each(self, rewrite) -> _Mapped:
        """Each character rewritten alone (into one or more characters)."""
        whole = rewrite(self.text)
        if len(whole) == len(self.text):  # no character grew, so each became one: the places stay
            return _Mapped(whole, self.starts, self.ends)
        text, starts, ends = [], [], []
        for char, start, end in zip(self.text, self.starts, self.ends):
            out = rewrite(char)
            text.append(out)
            starts += [start] * len(out)
            ends += [end] * len(out)
        return _Mapped("".join(text), starts, ends)

    def segments(self, rewrite) -> _Mapped:
        """Each base character with the combining marks after it rewritten together (NFKC, NFD, NFC compose and
        reorder only within such a run), and standing for all of it."""
        if rewrite(self.text) == self.text:  # most text: nothing to rewrite
            return self
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        memo: dict[str, str] = {}

        def rewritten(piece: str) -> str:  # what each word and run became, once each, as they repeat
            if piece not in memo:
                memo[piece] = rewrite(piece)
            return memo[piece]

        # Word by word (each with the white space before it), and run by run only within a word that changed or
        # has marks: a long text with a few accented words costs a call per distinct word, not one per letter.
        for word in _WORDS.finditer(self.text):
            start, end = word.span()
            piece = word.group()
            changed = rewritten(piece) != piece
            if not changed and not any(map(unicodedata.combining, piece)):  # no mark to keep with its letter
                text.append(piece)
                starts += self.starts[start:end]
                ends += self.ends[start:end]
                continue
            bounds = [i for i in range(start, end) if i == start or not unicodedata.combining(self.text[i])] + [end]
            for a, b in zip(bounds, bounds[1:]):
                out = rewritten(self.text[a:b]) if changed else self.text[a:b]
                text.append(out)
                starts += [self.starts[a]] * len(out)
                ends += [self.ends[b - 1]] * len(out)
        return _Mapped("".join(text), starts, ends)

    def sub(self, pattern, replace) -> _Mapped:
        """Every match of ``pattern`` replaced by ``replace(match)``; the replacement stands for the whole match."""
        text, starts, ends, at = [], [], [], 0
        for m in pattern.finditer(self.text):
            if m.end() == m.start():
                continue  # no rewrite of normalise matches nothing (were one to, ``locate`` would see it differ)
            out = replace(m)
            text += [self.text[at:m.start()], out]
            starts += self.starts[at:m.start()] + [self.starts[m.start()]] * len(out)
            ends += self.ends[at:m.start()] + [self.ends[m.end() - 1]] * len(out)
            at = m.end()
        text.append(self.text[at:])
        return _Mapped("".join(text), starts + self.starts[at:], ends + self.ends[at:])


@dataclass(frozen=True)
class Located:
    """A text's skeleton and cleaned form, each with the place in the original of every character."""

    original: str
    skeleton: _Mapped
    clean: _Mapped

    def span(self, form: str, start: int, end: int) -> tuple[int, int]:
        """Where characters ``start`` to ``end`` of the skeleton (``form`` "skeleton") or the cleaned form
        ("clean") stand in the original text."""
        mapped = self.skeleton if form == "skeleton" else self.clean
        return mapped.starts[start], mapped.ends[end - 1]


def locate(text: str, skeleton: str | None = None) -> Located | None:
    """``normalise``'s steps again, keeping where every character came from, so that what a rule matched in the
    skeleton can be shown where it stands in the text as written (a homoglyph word marked over its disguised
    letters). None in the rare text whose rewrites do not split into runs (its skeleton would differ from
    ``normalise``'s, or from ``skeleton`` when the caller has it already); callers then show no span. Costs about
    twice ``normalise``: it runs for records that can be reported."""
    text = text[:MAX_CHARS]
    mapped = _Mapped.of(text)
    if not text.isascii():
        mapped = mapped.segments(lambda s: unicodedata.normalize("NFKC", s))
        mapped = mapped.sub(_FORMAT, lambda m: "")
        folded = fold_disguised(mapped.text)[0]
        if len(folded) != len(mapped.text):
            return None
        mapped = _Mapped(folded, mapped.starts, mapped.ends)
    mapped = mapped.each(str.casefold)
    if _DOT_HINT.search(mapped.text):
        mapped = mapped.sub(_DOT, lambda m: ".")
    if _AT_HINT.search(mapped.text):
        mapped = mapped.sub(_AT, lambda m: "@")
    clean = mapped
    if not mapped.text.isascii():
        mapped = mapped.segments(lambda s: unicodedata.normalize("NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", s))))
    mapped = mapped.sub(_SPACED, lambda m: _SPACED_SEP.sub("", m.group(0)))
    if _LEET_HINT.search(mapped.text):
        mapped = mapped.sub(_LEET_WORD, lambda m: m.group(0).translate(_LEET))
    if mapped.text != (normalise(text).skeleton if skeleton is None else skeleton):
        return None
    return Located(text, mapped, clean)


_WORD_CHAR = regex.compile(r"[\p{L}\p{M}\p{N}\u200b-\u200d\u2060\ufeff\u00ad\u180e]")  # letters, and what hides in words


def disguised(located: Located, kind: str) -> Iterator[tuple[int, int]]:
    """The words of the original text that carry disguise ``kind`` (as ``normalise`` names it), as spans, in order."""
    original, skeleton = located.original, located.skeleton
    if kind == "spaced-letters":
        yield from (located.span("clean", m.start(), m.end()) for m in _SPACED.finditer(located.clean.text))
        return
    if kind in ("homoglyph", "mixed-script"):  # a letter folded to the Latin one it imitates
        latin = _latin_confusables()
        places = sorted({start for char, start in zip(skeleton.text, skeleton.starts)
                         if char.isascii() and not original[start].isascii()
                         and (_LOOKALIKE.match(original[start]) or ord(original[start]) in latin)
                         and unicodedata.normalize("NFKC", original[start]) == original[start]})  # not fullwidth
    elif kind == "invisible":
        places = [m.start() + 1 for m in _HIDING.finditer(original)]
    elif kind == "fullwidth-or-math":
        places = [m.start() for m in _FANCY.finditer(original)]
    else:
        return
    end = 0
    for place in places:
        if place < end:
            continue  # in the word just marked: each character is looked at once
        start = end = place
        while start > 0 and _WORD_CHAR.match(original[start - 1]):
            start -= 1
        while end < len(original) and _WORD_CHAR.match(original[end]):
            end += 1
        end = max(end, place + 1)
        yield start, end
