"""Where each character of a text's skeleton came from: ``normalise``'s rewrites again, each keeping the place in the
original of every character it writes, so that what a rule matched in the skeleton can be shown where it stands in
the text as written (a homoglyph word marked over its disguised letters), and the disguises themselves found."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from sb_worker.scoring.text import (_AT, _AT_HINT, _DOT, _DOT_HINT, _FANCY, _FORMAT, _HIDING, _LEET_HINT,
                                    _LEET_WORD, _LOOKALIKE, _SPACED, _SPACED_SEP, MAX_CHARS, _latin_confusables,
                                    fold_disguised, normalise, strip_latin_marks, unleet)


# What may change under each rewrite of ``locate`` (Unicode's quick-check properties), and the combining marks: any
# other character comes through the rewrite alone as it was (tests/sb_worker/scoring/test_text.py checks every
# code point). Stripping Latin accents changes what is not NFC, a letter that decomposes into a Latin one and its
# marks, and marks themselves; a Cyrillic й or a Hangul syllable decomposes and composes again as it was.
_MAY_CHANGE_NFKC = regex.compile(r"[\p{NFKC_QC=N}\p{NFKC_QC=M}\P{ccc=0}]")
_MAY_CHANGE_UNMARKED = regex.compile(
    r"[\p{NFC_QC=N}\p{NFC_QC=M}[\p{NFD_QC=N}&&[\p{Latin}\p{Common}\p{Inherited}]]\P{ccc=0}\p{Mn}]", regex.V1)


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

    def segments(self, rewrite, may_change: regex.Pattern) -> _Mapped:
        """Each base character with the combining marks after it rewritten together (NFKC, NFD, NFC compose and
        reorder only within such a run), and standing for all of it. ``may_change`` matches every character that
        the rewrite may change, alone or in its run, and every combining mark: a run without one is kept as it is,
        so a long text with a few accented words costs a call per accented letter, not one per letter."""
        if rewrite(self.text) == self.text:  # most text: nothing to rewrite
            return self
        original, combining = self.text, unicodedata.combining
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        memo: dict[str, str] = {}
        at = 0
        for found in may_change.finditer(original):
            if found.start() < at:
                continue  # in the run just rewritten
            start, end = found.start(), found.end()
            while start > 0 and combining(original[start]):  # back to the run's base character
                start -= 1
            while end < len(original) and combining(original[end]):
                end += 1
            text.append(original[at:start])
            starts += self.starts[at:start]
            ends += self.ends[at:start]
            run = original[start:end]
            if run not in memo:  # runs repeat: each is rewritten once
                memo[run] = rewrite(run)
            out = memo[run]
            text.append(out)
            starts += [self.starts[start]] * len(out)
            ends += [self.ends[end - 1]] * len(out)
            at = end
        text.append(original[at:])
        return _Mapped("".join(text), starts + self.starts[at:], ends + self.ends[at:])

    def sub(self, pattern, replace) -> _Mapped:
        """Every match of ``pattern`` replaced by ``replace(match)``; the replacement stands for the whole match."""
        text, starts, ends, at = [], [], [], 0
        for m in pattern.finditer(self.text):
            if m.end() == m.start():
                continue  # no rewrite of normalise matches nothing (were one to, ``locate`` would see it differ)
            out = replace(m)
            text += [self.text[at:m.start()], out]
            starts += self.starts[at:m.start()]
            starts += [self.starts[m.start()]] * len(out)
            ends += self.ends[at:m.start()]
            ends += [self.ends[m.end() - 1]] * len(out)
            at = m.end()
        if not at:
            return self  # nothing matched: the places stay (most text, for most rewrites)
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
        mapped = mapped.segments(lambda s: unicodedata.normalize("NFKC", s), _MAY_CHANGE_NFKC)
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
        mapped = mapped.segments(strip_latin_marks, _MAY_CHANGE_UNMARKED)
    mapped = mapped.sub(_SPACED, lambda m: _SPACED_SEP.sub("", m.group(0)))
    if _LEET_HINT.search(mapped.text):
        mapped = mapped.sub(_LEET_WORD, unleet)
    if mapped.text != (normalise(text).skeleton if skeleton is None else skeleton):
        return None
    return Located(text, mapped, clean)


_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
_WORD_CHAR = regex.compile(r"[\p{L}\p{M}\p{N}\u200b-\u200d\u2060\ufeff\u00ad\u180e]")  # letters, and what hides in words


def disguised(located: Located, kind: str) -> Iterator[tuple[int, int]]:
    """The words of the original text that carry disguise ``kind`` (as ``normalise`` names it), as spans, in order."""
    original, skeleton = located.original, located.skeleton
    if kind == "spaced-letters":
        yield from (located.span("clean", m.start(), m.end()) for m in _SPACED.finditer(located.clean.text))
        return
    if kind in ("homoglyph", "mixed-script"):  # a letter folded to the Latin one it imitates
        latin = _latin_confusables()
        foreign = {m.start() for m in _NON_ASCII.finditer(original)  # the letters that can be look-alikes
                   if (_LOOKALIKE.match(m.group()) or ord(m.group()) in latin)
                   and unicodedata.normalize("NFKC", m.group()) == m.group()}  # not fullwidth
        places = sorted({start for char, start in zip(skeleton.text, skeleton.starts)
                         if start in foreign and char.isascii()}) if foreign else []
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
