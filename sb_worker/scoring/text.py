"""Text normalisation: the Latin skeleton that rules match, and the disguises found on the way.

Spammers disguise words with homoglyphs, zero-width characters, fullwidth and mathematical letters, accents,
spaced-out letters and leetspeak. ``normalise`` undoes each of these and records which it undid. The confusable
letters come from Unicode's confusables data (UTS #39) as shipped by the ``confusable_homoglyphs`` package.
Only the first ``MAX_CHARS`` characters are normalised, so no input costs more than a bounded time.

A script is not a disguise. Look-alike letters of other scripts (Cyrillic, Greek, Armenian, Cherokee) are
folded to Latin only where a disguise is: in a word that mixes them with Latin letters (UTS #39's mixed-script
test), or in a word made wholly of look-alikes amid Latin text ("Вuy" is mixed; "ѕео" in an English bio is all
look-alikes). Amid text of another script, a mixed word is a disguise only when folding makes it a Latin word
("Вuy"), or when more than one word keeps letters of the text's script; one such word alone ("Алисa", a Latin
"a" typed in a Russian name) is a keyboard slip, read as itself. A word wholly in one script, in a text of that
script, is that script's word: honest Russian, Greek, Arabic or Hindi comes through unchanged apart from case and
NFKC, and only Latin letters lose their accents.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

from detectors.matcher import UNSPACED

MAX_CHARS = 20_000  # text beyond this is not read by any rule (its length is still a feature)

# Zero-width, bidi controls and other invisibles. The joiners that Persian, Indic scripts and emoji need stay,
# except between Latin letters, where they only hide a word.
_FORMAT = regex.compile(r"[\p{Cf}\p{Cc}--[\n\t\u200c\u200d]]+|(?<=\p{Latin})[\u200c\u200d]+(?=\p{Latin})", regex.V1)
# Invisibles that disguise: inside a word, or bidi overrides. A byte-order mark at the end or a stray control
# character is encoding debris, removed but not held against the writer; so are the joiners that Persian,
# Indic scripts and emoji need, and the zero-width space between letters of scripts written without spaces (Thai,
# Khmer, Lao and Burmese separate their words with it; Chinese and Japanese mark where a line may break).
_HIDING = regex.compile(rf"(?!{UNSPACED}\u200b+{UNSPACED})[\p{{L}}\p{{N}}][\u200b\u2060\ufeff\u00ad\u180e]+[\p{{L}}\p{{N}}]"
                        r"|[\p{Latin}][\u200c\u200d]+[\p{Latin}]|[\u202a-\u202e]")
_HIDING_HINT = re.compile("[\u200b\u2060\ufeff\u00ad\u180e\u200c\u200d\u202a-\u202e]")  # what _HIDING needs
_LATIN_MARKS = regex.compile(r"(?<=\p{Latin})\p{Mn}+")  # accents of Latin letters (other scripts' marks are letters)
_LOOKALIKE = regex.compile(r"[\p{Cyrillic}\p{Greek}\p{Armenian}\p{Cherokee}]")  # scripts with Latin look-alikes
_LATIN = regex.compile(r"\p{Latin}")
_LATIN_RUN = regex.compile(r"\p{Latin}+")  # counted, to tell which script a text is in
_LOOKALIKE_RUN = regex.compile(r"[\p{Cyrillic}\p{Greek}\p{Armenian}\p{Cherokee}]+")
_LATIN_IN_WORD = regex.compile(r"[\p{Latin}&&[\p{L}\p{M}\p{N}]]+", regex.V1)  # the letters words are made of
_LOOKALIKE_IN_WORD = regex.compile(r"[[\p{Cyrillic}\p{Greek}\p{Armenian}\p{Cherokee}]&&[\p{L}\p{M}\p{N}]]+", regex.V1)
_WORD_AFTER = regex.compile(r"[\p{L}\p{M}\p{N}]*")        # the rest of a word, from a position
_WORD_BEFORE = regex.compile(r"(?r)[\p{L}\p{M}\p{N}]*")   # the start of a word, back from a position
_FANCY = regex.compile(r"[\uff21-\uff5a\U0001d400-\U0001d7ff]")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
# e s c o r t, 9 8 4 5 0: single characters, one apart. Not Chinese, Japanese or Korean ones, where a word may be one
# character ("더 잘 할 수 있다": "can do better").
_SINGLE = r"[^\W\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
_SPACED = re.compile(rf"\b(?:{_SINGLE}[ .\-*·•]){{3,}}{_SINGLE}\b")
_SPACED_SEP = re.compile(r"[ .\-*·•]")
_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|punkt|point)\s*[\])}>]\s*|\s+dot\s+(?=(?:com|net|org|info|in|co|uk|ru|xyz|online|site|biz)\b)")
_AT = re.compile(r"\s*[\[({<]\s*at\s*[\])}>]\s*")
_DOT_HINT = re.compile(r"[\[({<]\s*(?:dot|punkt|point)\s*[\])}>]|\sdot\s")
_AT_HINT = re.compile(r"[\[({<]\s*at\s*[\])}>]")
_LEET_WORD = re.compile(r"\b[a-z]*(?:[a-z][0134578@$!|]|[0134578@$!|][a-z])[a-z0134578@$!|]*")
_LEET_HINT = re.compile(r"[a-z][0134578@$!|]|[0134578@$!|][a-z]")  # what every _LEET_WORD holds
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


@lru_cache(maxsize=1)
def _latin_lookalike() -> re.Pattern:
    """A search for any Latin look-alike. The standard library's character sets are tables: over a text with none
    (most texts), this is ten times the speed of ``str.translate``."""
    return re.compile("[" + re.escape("".join(map(chr, _latin_confusables()))) + "]")


def _fancy_letters(text: str) -> bool:
    """Fullwidth or mathematical letters used for Latin words. Fullwidth forms are ordinary in Chinese, Japanese
    and Korean text (punctuation, and letters amid CJK), so text with CJK characters never counts."""
    return len(_FANCY.findall(text, concurrent=False)) >= 3 and not _CJK.search(text)


def _hides(text: str) -> bool:
    """Whether ``_HIDING`` matches ``text``, tried only where a match can start: at each character the hint finds,
    and just before it. (A search tries at every letter: 0.3 ms on a text of 1,600 characters, against 0.01 ms.)"""
    return any(_HIDING.match(text, at) for hint in _HIDING_HINT.finditer(text)
               for at in (hint.start() - 1, hint.start()) if at >= 0)


def fold_confusables(text: str) -> str:
    """``text`` with every confusable character replaced by the ASCII letter it imitates."""
    return text.translate(_confusables())


def fold_disguised(text: str) -> tuple[str, bool, bool]:
    """(``text`` with look-alike letters folded where they disguise a word, whether a word mixed scripts,
    whether any word was folded from another script); see the module docstring."""
    if _latin_lookalike().search(text):  # Latin look-alikes inside Latin words fold in any text
        text = text.translate(_latin_confusables())
    if not _LOOKALIKE.search(text):
        return text, False, False
    table = _confusables()
    latin_context = sum(map(len, _LATIN_RUN.findall(text))) > sum(map(len, _LOOKALIKE_RUN.findall(text)))
    # A disguise needs a letter of the script the text uses less (a Cyrillic one amid Latin text, a Latin one in a
    # mixed word amid Cyrillic): only the words around such letters are looked at, so a long text of one script
    # costs a few searches in C, not a step per word.
    rarer = _LOOKALIKE_IN_WORD if latin_context else _LATIN_IN_WORD
    words: list[tuple[int, int, str, bool]] = []  # (start, end, the word folded, whether it is a slip)
    seen = 0
    for run in rarer.finditer(text):
        if run.start() < seen:
            continue  # in the word just looked at
        start, end = _WORD_BEFORE.match(text, 0, run.start()).start(), _WORD_AFTER.match(text, run.end()).end()
        seen, word = end, text[start:end]
        if not _LOOKALIKE.search(word):
            continue  # a Latin word amid Cyrillic: read as itself
        result = word.translate(table)
        if _LATIN.search(word):  # mixed; amid another script, a slip unless folding makes it a Latin word
            words.append((start, end, result, not latin_context and bool(_LOOKALIKE.search(result))))
        elif latin_context and all(ord(c) in table for c in word if c.isalpha()):
            words.append((start, end, result, False))  # wholly of look-alikes amid Latin text
    # One word of the text's own script with a stray Latin letter is a keyboard slip (a Latin "a" typed in
    # "Алисa"), read as itself; two or more are a pattern that disguises the text's words.
    if sum(slip for *_, slip in words) < 2:
        words = [w for w in words if not w[3]]
    parts, at = [], 0
    for start, end, result, _ in words:
        parts += [text[at:start], result]
        at = end
    mixed = any(_LATIN.search(text[start:end]) for start, end, _, _ in words)
    folded = any(result != text[start:end] for start, end, result, _ in words)
    return "".join(parts) + text[at:], mixed, folded


def unleet(word: re.Match) -> str:
    """A word of ``_LEET_WORD`` in letters, but for the "!" that end it: "v1agr@" is "viagra", and "free!" is
    "free!" (an exclamation, not a disguised "freei")."""
    written = word.group(0)
    letters = written.rstrip("!")
    return letters.translate(_LEET) + written[len(letters):]


def strip_latin_marks(text: str) -> str:
    """``text`` with the accents of its Latin letters taken off (café: cafe); other scripts' marks are kept."""
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text)))


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
        if len(visible) != len(nfkc) and _hides(nfkc):
            disguises.append("invisible")
        folded, mixed, homoglyphs = fold_disguised(visible)  # before lower-casing: В looks like B, в like nothing
        disguises += ["mixed-script"] * mixed + ["homoglyph"] * homoglyphs
        lower = folded.casefold()
    clean = lower
    if _DOT_HINT.search(clean):  # the hints find what each pattern needs, at the speed of a plain search
        clean = _DOT.sub(".", clean)
    if _AT_HINT.search(clean):
        clean = _AT.sub("@", clean)
    stripped = clean if clean.isascii() else strip_latin_marks(clean)
    collapsed = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group(0)), stripped)
    if collapsed != stripped:
        disguises.append("spaced-letters")
    skeleton = _LEET_WORD.sub(unleet, collapsed) if _LEET_HINT.search(collapsed) else collapsed
    if skeleton != collapsed:
        disguises.append("leetspeak")
    return Normalised(skeleton=skeleton, clean=clean, disguises=tuple(disguises))
