"""Text normalisation: the Latin skeleton that rules match, and the disguises found on the way.

Spammers disguise words with homoglyphs, zero-width characters, fullwidth and mathematical letters, accents,
spaced-out letters and leetspeak. ``normalise`` undoes each of these and records which it undid. The confusable
letters come from Unicode's confusables data (UTS #39) as shipped by the ``confusable_homoglyphs`` package.
Only the first ``MAX_CHARS`` characters are normalised, so no input costs more than a bounded time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

MAX_CHARS = 20_000  # text beyond this is not read by any rule (its length is still a feature)

_FORMAT = regex.compile(r"[\p{Cf}\p{Cc}--[\n\t]]+", regex.V1)  # zero-width, bidi controls, other invisibles
# Invisibles that disguise: inside a word, or bidi overrides. A byte-order mark at the end or a stray control
# character is encoding debris, removed but not held against the writer; so are the joiners that Persian,
# Indic scripts and emoji need.
_HIDING = regex.compile(r"[\p{L}\p{N}][\u200b\u2060\ufeff\u00ad\u180e]+[\p{L}\p{N}]|[\p{Latin}][\u200c\u200d]+[\p{Latin}]"
                        r"|[\u202a-\u202e]")
_MARKS = regex.compile(r"\p{Mn}+")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
# A Latin letter beside a Cyrillic, Greek or Armenian one inside a word: honest text in any script does not do this.
_MIXED = regex.compile(r"\p{Latin}[\p{Cyrillic}\p{Greek}\p{Armenian}]|[\p{Cyrillic}\p{Greek}\p{Armenian}]\p{Latin}")
_SPACED = re.compile(r"\b(?:\w[ .\-*·•]){3,}\w\b")  # e s c o r t, 9 8 4 5 0 (single characters, one apart)
_SPACED_SEP = re.compile(r"[ .\-*·•]")
_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|punkt|point)\s*[\])}>]\s*|\s+dot\s+(?=(?:com|net|org|info|in|co|uk|ru|xyz|online|site|biz)\b)")
_AT = re.compile(r"\s*[\[({<]\s*at\s*[\])}>]\s*")
_LEET_WORD = re.compile(r"\b[a-z]*(?:[a-z][0134578@$!|]|[0134578@$!|][a-z])[a-z0134578@$!|]*")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "!": "i", "|": "l"})


@dataclass(frozen=True)
class Normalised:
    """A text's skeleton (what rules match) and its cleaned form (what links and numbers are read from)."""

    skeleton: str
    clean: str
    disguises: tuple[str, ...]  # which disguises were undone: "invisible", "homoglyph", "mixed-script", ...


@lru_cache(maxsize=1)
def _confusables() -> dict[int, str]:
    """Each non-ASCII character that Unicode lists as confusable with an ASCII letter or digit, mapped to it."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[int, str] = {}
    for char, similar in data.items():
        if len(char) != 1 or char.isascii():
            continue
        targets = [s["c"] for s in similar if len(s["c"]) == 1 and s["c"].isascii() and s["c"].isalnum()]
        letters = [t for t in targets if t.isalpha()]
        if letters or targets:
            table[ord(char)] = (letters or targets)[0].lower()
    return table


def _fancy_letters(text: str) -> bool:
    """Fullwidth or mathematical letters used for Latin words. Fullwidth forms are ordinary in Chinese, Japanese
    and Korean text (punctuation, and letters amid CJK), so text with CJK characters never counts."""
    fancy = sum(1 for c in text if 0xFF21 <= ord(c) <= 0xFF5A or 0x1D400 <= ord(c) <= 0x1D7FF)
    return fancy >= 3 and not _CJK.search(text)


def fold_confusables(text: str) -> str:
    """``text`` with every confusable character replaced by the ASCII letter it imitates."""
    return text.translate(_confusables())


def normalise(text: str) -> Normalised:
    """Undo the usual disguises of spam text; see the module docstring."""
    text = text[:MAX_CHARS]
    disguises = []
    lower = text.casefold()
    if not text.isascii():  # the Unicode steps; most text is plain ASCII and skips them
        nfkc = unicodedata.normalize("NFKC", text)
        if nfkc != text and _fancy_letters(text):
            disguises.append("fullwidth-or-math")
        visible = _FORMAT.sub("", nfkc)
        if len(visible) != len(nfkc) and _HIDING.search(nfkc):
            disguises.append("invisible")
        if _MIXED.search(visible):
            disguises.append("mixed-script")
        folded = fold_confusables(visible)  # before lower-casing: В looks like B, в like nothing Latin
        if folded != visible and "mixed-script" in disguises:
            disguises.append("homoglyph")
        lower = folded.casefold()
    clean = lower
    if "dot" in clean or "punkt" in clean or "point" in clean:
        clean = _DOT.sub(".", clean)
    if "at" in clean:
        clean = _AT.sub("@", clean)
    stripped = clean if clean.isascii() else _MARKS.sub("", unicodedata.normalize("NFD", clean))
    collapsed = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group(0)), stripped)
    if collapsed != stripped:
        disguises.append("spaced-letters")
    skeleton = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), collapsed)
    if skeleton != collapsed:
        disguises.append("leetspeak")
    return Normalised(skeleton=skeleton, clean=clean, disguises=tuple(disguises))
