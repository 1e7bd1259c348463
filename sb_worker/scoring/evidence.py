"""Where a reason's evidence stands in the record as written: each :class:`~detectors.base.Match` a detector (or
the model) gave, found in the field it came from, as ``{"field", "text", "start", "end"}`` with ``text`` exactly
``field[start:end]``. What a rule matched in the skeleton is mapped back through :func:`located.locate`, so a
disguised word is marked over its disguised letters."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from detectors.base import Features, Match
from detectors.matcher import unspaced
from sb_worker.scoring.contacts import phone_spans
from sb_worker.scoring.located import Located, disguised, locate

FIELDS = ("text", "website", "added_urls")  # the bio (or an edit's text), the website, an edit's URLs one a line
MOST = 20  # spans a reason keeps


def fields(features: Features) -> dict[str, str]:
    """The record's fields that evidence can stand in, by name."""
    return {"text": features.text, "website": features.website, "added_urls": "\n".join(features.added_urls)}


def _occurrences(text: str, found: str, words: bool = False) -> Iterator[tuple[int, int]]:
    """Where ``found`` stands in ``text``, ignoring case (with ``words``, not inside a longer word), in linear time:
    a hostile 5,000-letter domain in 20,000 letters of the same is a plain search, not a pattern's backtracking."""
    lower, needle = text.lower(), found.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: positions would shift
        yield from _matches(re.compile(re.escape(found), re.IGNORECASE), text)
        return
    at = lower.find(needle) if needle else -1
    while at >= 0:
        end = at + len(needle)
        if not words or not ((_bounded(needle[0]) and at and lower[at - 1].isalnum())
                             or (_bounded(needle[-1]) and end < len(lower) and lower[end].isalnum())):
            yield at, end
        at = lower.find(needle, end)


def _words(found: str) -> str:
    """``found`` as a pattern: its words in order, whatever separates them, not inside longer words."""
    body = r"\W+".join(map(re.escape, found.split()))
    return (r"(?<!\w)" if _bounded(found[:1]) else "") + body + (r"(?!\w)" if _bounded(found[-1:]) else "")


def _bounded(character: str) -> bool:
    """Whether a word that ends in ``character`` ends there only (not so in scripts without spaces: see
    :func:`detectors.matcher.unspaced`)."""
    return character.isalnum() and not unspaced(character)


class Spans:
    """The spans of one record's evidence; the text is located (mapped to its skeleton) once, on first need."""

    def __init__(self, features: Features):
        self.values = fields(features)
        self.skeleton = features.skeleton
        self._located: Located | None | bool = False

    def located(self) -> Located | None:
        if self._located is False:
            self._located = locate(self.values["text"], self.skeleton) if self.values["text"] else None
        return self._located  # type: ignore[return-value]

    def of(self, matches: Sequence[Match]) -> tuple[dict[str, Any], ...]:
        """Every place each of ``matches`` stands, in field order, without repeats, at most ``MOST``."""
        found: dict[tuple[str, int, int], None] = {}
        for match in matches:
            if match.found.strip():  # the first places of each: a word repeated ten thousand times is marked 20
                found.update(dict.fromkeys(itertools.islice(self._find(match), MOST)))
        spans = sorted(found, key=lambda s: (FIELDS.index(s[0]), s[1], s[2]))[:MOST]
        return tuple({"field": f, "text": self.values[f][a:b], "start": a, "end": b} for f, a, b in spans)

    def _find(self, match: Match) -> Iterator[tuple[str, int, int]]:
        if match.where == "links":
            for name in ("website", "added_urls"):
                yield from ((name, a, b) for a, b in _occurrences(self.values[name], match.found))
            yield from self._in_text("clean", lambda text: _occurrences(text, match.found))
        elif match.where == "phone":  # read from the skeleton, as feature extraction read it
            yield from self._in_text("skeleton", lambda text: ((a, b) for a, b, number in phone_spans(text)
                                                               if number == match.found))
        elif match.where == "disguise":
            located = self.located()
            if located is not None:
                yield from (("text", a, b) for a, b in disguised(located, match.found))
        elif match.where in ("text", "clean"):
            # What a rule matched is a piece of the text as the rule read it: a plain search finds it; the model's
            # words may stand apart by other separators than a space, which only the pattern allows.
            yield from self._in_text("skeleton" if match.where == "text" else "clean", lambda text: (
                list(_occurrences(text, match.found, words=True))
                or _matches(re.compile(_words(match.found), re.IGNORECASE), text)))

    def _in_text(self, form: str, places: Callable[[str], Iterable[tuple[int, int]]]) -> Iterator[tuple[str, int, int]]:
        """``places`` in the text's ``form`` ("skeleton" or "clean"), as spans of the text as written."""
        located = self.located()
        if located is not None:
            searched = located.skeleton if form == "skeleton" else located.clean
            yield from (("text", *located.span(form, a, b)) for a, b in places(searched.text))


def _matches(pattern: re.Pattern, text: str) -> Iterator[tuple[int, int]]:
    return ((m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start())
