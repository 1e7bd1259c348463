"""Text normalisation: the Latin skeleton that rules match, and the disguises found on the way.

Spammers disguise words with homoglyphs, zero-width characters, fullwidth and mathematical letters, accents,
spaced-out letters and leetspeak. ``normalise`` undoes each of these and records which it undid. The confusable
letters come from Unicode's confusables data (UTS #39) as shipped by the ``confusable_homoglyphs`` package.
Only the first ``MAX_CHARS`` characters are normalised, so no input costs more than a bounded time.

A script is not a disguise. Look-alike letters of other scripts (Cyrillic, Greek, Armenian, Cherokee) are
folded to Latin only where a disguise is: in a word that mixes them with Latin letters (UTS #39's mixed-script
test), or in a word made wholly of look-alikes amid Latin text ("Вuy" is mixed; "ѕео" in an English bio is all
look-alikes). A word wholly in one script, in a text of that script, is that script's word: honest Russian,
Greek, Arabic or Hindi comes through unchanged apart from case and NFKC, and only Latin letters lose their
accents.
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

# Zero-width, bidi controls and other invisibles. The joiners that Persian, Indic scripts and emoji need stay,
# except between Latin letters, where they only hide a word.
_FORMAT = regex.compile(r"[\p{Cf}\p{Cc}--[\n\t\u200c\u200d]]+|(?<=\p{Latin})[\u200c\u200d]+(?=\p{Latin})", regex.V1)
# Invisibles that disguise: inside a word, or bidi overrides. A byte-order mark at the end or a stray control
# character is encoding debris, removed but not held against the writer; so are the joiners that Persian,
# Indic scripts and emoji need.
_HIDING = regex.compile(r"[\p{L}\p{N}][\u200b\u2060\ufeff\u00ad\u180e]+[\p{L}\p{N}]|[\p{Latin}][\u200c\u200d]+[\p{Latin}]"
                        r"|[\u202a-\u202e]")
_LATIN_MARKS = regex.compile(r"(?<=\p{Latin})\p{Mn}+")  # accents of Latin letters (other scripts' marks are letters)
_LOOKALIKE = regex.compile(r"[\p{Cyrillic}\p{Greek}\p{Armenian}\p{Cherokee}]")  # scripts with Latin look-alikes
_LATIN = regex.compile(r"\p{Latin}")
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_FANCY = regex.compile(r"[\uff21-\uff5a\U0001d400-\U0001d7ff]")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
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


@lru_cache(maxsize=1)
def _latin_confusables() -> dict[int, str]:
    """The part of the confusables table whose characters are Latin letters themselves (ɑ, ı, ꞵ, ...)."""
    return {c: t for c, t in _confusables().items() if _LATIN.match(chr(c))}


def _fancy_letters(text: str) -> bool:
    """Fullwidth or mathematical letters used for Latin words. Fullwidth forms are ordinary in Chinese, Japanese
    and Korean text (punctuation, and letters amid CJK), so text with CJK characters never counts."""
    return len(_FANCY.findall(text, concurrent=False)) >= 3 and not _CJK.search(text)


def fold_confusables(text: str) -> str:
    """``text`` with every confusable character replaced by the ASCII letter it imitates."""
    return text.translate(_confusables())


def fold_disguised(text: str) -> tuple[str, bool, bool]:
    """(``text`` with look-alike letters folded where they disguise a word, whether a word mixed scripts,
    whether any word was folded from another script); see the module docstring."""
    text = text.translate(_latin_confusables())  # Latin look-alikes inside Latin words fold in any text
    if not _LOOKALIKE.search(text):
        return text, False, False
    table = _confusables()
    latin_context = len(_LATIN.findall(text)) > len(_LOOKALIKE.findall(text))
    mixed = folded = False

    def fold(match: regex.Match) -> str:
        nonlocal mixed, folded
        word = match.group(0)
        if not _LOOKALIKE.search(word):
            return word
        if _LATIN.search(word):
            mixed = True
        elif not (latin_context and all(ord(c) in table for c in word if c.isalpha())):
            return word  # a word of its own script: read as itself
        result = word.translate(table)
        folded = folded or result != word
        return result

    return _WORD.sub(fold, text), mixed, folded


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
        folded, mixed, homoglyphs = fold_disguised(visible)  # before lower-casing: В looks like B, в like nothing
        disguises += ["mixed-script"] * mixed + ["homoglyph"] * homoglyphs
        lower = folded.casefold()
    clean = lower
    if "dot" in clean or "punkt" in clean or "point" in clean:
        clean = _DOT.sub(".", clean)
    if "at" in clean:
        clean = _AT.sub("@", clean)
    stripped = clean if clean.isascii() else unicodedata.normalize(
        "NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", clean)))
    collapsed = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group(0)), stripped)
    if collapsed != stripped:
        disguises.append("spaced-letters")
    skeleton = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), collapsed)
    if skeleton != collapsed:
        disguises.append("leetspeak")
    return Normalised(skeleton=skeleton, clean=clean, disguises=tuple(disguises))
