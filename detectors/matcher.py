"""Matching thousands of regular expressions at once, in bounded time.

Hyperscan scans a text for every pattern in one pass and reports which patterns may match. Patterns it cannot
run exactly (look-arounds, possessive quantifiers, atomic groups) run as Hyperscan *prefilters*, which may report
more than match but never less. Each reported pattern is then confirmed with the ``regex`` module under a time
limit, which also gives the matched text for the reason. The few patterns Hyperscan refuses even as prefilters
run with ``regex`` alone, under the same limit.

The limit is of the searching thread's processor time, so that the answer does not depend on what else runs.
``regex`` counts the processor time of the whole process (C's ``clock()``), which other threads (numpy's) spend
too: a search it stops before this thread has used most of its limit runs again, with a larger one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import hyperscan
import regex

_FLAGS = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_DOTALL | hyperscan.HS_FLAG_SINGLEMATCH
# What Hyperscan cannot run exactly: look-arounds, possessive and atomic forms, back-references, recursion,
# conditionals, Unicode properties, and anchors anywhere but at the very start or end.
_NEEDS_PREFILTER = regex.compile(r"\(\?<?[=!]|[*+?}]\+|\(\?>|\\[1-9]|\(\?P>|\(\?\(|\(\?&|\\[pPXAZz]"
                                 r"|(?<!^)(?<!\\)\^|(?<!\\)\$(?!$)")
_LEADING_FLAGS = regex.compile(r"^\(\?([a-zA-Z]+)\)")
CONFIRM_LIMIT = 40  # candidates confirmed per text at most: enough evidence, and a bound on time
_TRIES = 4  # the limits ``regex`` is given: 1, 4, 16 and 64 times the thread's
_FORM = "3"  # how patterns are given to Hyperscan: changed with _wrapped or _flags, so that caches are rebuilt
_BUILT: dict[str, tuple[object, list[int]]] = {}  # compiled databases by key, shared within a process


class PatternSet:
    """A fixed list of regular expressions, searched together; ``words=True`` wraps each in word boundaries."""

    def __init__(self, patterns: Sequence[str], words: bool = True, timeout_s: float = 0.005,
                 cache_dir: str | None = None):
        self.patterns = list(patterns)
        self.words = words
        self.timeout_s = timeout_s
        self.cache_dir = cache_dir
        self.database_ = None
        self.residual_: list[int] = []
        self.compiled_: dict[int, regex.Pattern] = {}
        self.residual_literals_: list[tuple[int, str]] = []

    def prepare(self) -> PatternSet:
        """Compile (or load from the cache) now rather than on the first search; returns itself."""
        if self.database_ is None:
            self._build()
            self.residual_literals_ = [(i, _literal_prefix(self.patterns[i])) for i in self.residual_]
        return self

    def search(self, text: str) -> list[tuple[int, str]]:
        """(pattern index, matched text) for each pattern that matches ``text``, in pattern order."""
        self.prepare()
        candidates: list[int] = []
        if text:
            self.database_.scan(text.encode("utf-8", "replace"), match_event_handler=_collect, context=candidates)
        found = []
        folded = text.casefold()
        residual = [i for i, literal in self.residual_literals_ if literal in folded]
        for index in sorted(set(candidates[:CONFIRM_LIMIT]) | set(residual)):
            matched = self._confirm(index, text)
            if matched is not None:
                found.append((index, matched))
        return found

    def _confirm(self, index: int, text: str) -> str | None:
        pattern = self.compiled_.get(index)
        if pattern is None:
            pattern = self.compiled_[index] = regex.compile(self._wrapped(index), regex.I | regex.S | regex.U)
        given_s = self.timeout_s
        for _ in range(_TRIES):
            started = time.thread_time()
            try:
                m = pattern.search(text, timeout=given_s)
            except TimeoutError:
                if time.thread_time() - started < 0.9 * self.timeout_s:
                    given_s *= 4  # other threads used the process's time: again, with more
                    continue
                return None  # a pattern that cannot decide in its time counts as no match
            if time.thread_time() - started > self.timeout_s:
                return None  # decided on a retry, but past its own time: no match, as alone
            return m.group(0).strip()[:80] if m else None
        return None

    def _wrapped(self, index: int, scan: bool = False) -> str:
        """The pattern as searched: in word boundaries where ``words`` asks for them, except at an end that is a
        letter of a script written without spaces between words (Chinese, Japanese, Thai; Korean, whose endings
        join the word before them), where a word may start or stop at any letter.

        ``scan`` gives Hyperscan's form, which only proposes candidates for ``regex`` to confirm. Hyperscan reads a
        prefilter as bytes (:func:`_flags`), to which a letter outside ASCII is no word character, so a pattern with
        such letters is scanned for without boundaries, and ``regex`` confirms them."""
        pattern = self.patterns[index]
        flags = ""
        if m := _LEADING_FLAGS.match(pattern):  # inline global flags must open the whole expression
            flags, pattern = f"(?{m.group(1)})", pattern[m.end():]
        if not self.words or not pattern:
            return flags + pattern
        first, last = pattern[0], pattern[-1]
        bytewise = scan and not pattern.isascii()
        left = "" if first == "^" or unspaced(first) or bytewise else r"(?:^|\b)"
        right = "" if (last == "$" and not pattern.endswith(r"\$")) or unspaced(last) or bytewise else r"(?:\b|$)"
        return f"{flags}{left}(?:{pattern}){right}"

    def _build(self) -> None:
        key = hashlib.sha256("\0".join([hyperscan.__version__, _FORM, str(self.words), *self.patterns]).encode()).hexdigest()
        if key in _BUILT:
            self.database_, self.residual_ = _BUILT[key]
            return
        self._compile_or_load(key)
        _BUILT[key] = (self.database_, self.residual_)

    def _compile_or_load(self, key: str) -> None:
        cached = Path(self.cache_dir, f"hs-{key[:24]}") if self.cache_dir else None
        if cached and cached.exists():
            try:
                residual, blob = cached.read_bytes().split(b"\n", 1)
                self.database_ = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
                self.database_.scratch = hyperscan.Scratch(self.database_)
                self.residual_ = [int(i) for i in residual.split(b",") if i]
                return
            except (hyperscan.error, ValueError):
                pass  # built by another Hyperscan or CPU: build it again
        exact, prefilter = [], []
        for index in range(len(self.patterns)):
            expression = self._wrapped(index, scan=True)
            if _NEEDS_PREFILTER.search(self.patterns[index]):
                prefilter.append((index, _relaxed(expression)))
            else:
                exact.append((index, expression))
        entries = ([(i, e, _flags(self.patterns[i], 0)) for i, e in exact]
                   + self._compilable(prefilter, hyperscan.HS_FLAG_PREFILTER))
        try:
            self.database_ = _database(entries)
        except hyperscan.error:  # some "exact" pattern is refused after all: find it, and try it as a prefilter
            kept = self._compilable(exact)
            refused = [(i, _relaxed(e)) for i, e in exact if i not in {k[0] for k in kept}]
            entries = kept + self._compilable(refused, hyperscan.HS_FLAG_PREFILTER) + entries[len(exact):]
            self.database_ = _database(entries)
        accepted = {index for index, _, _ in entries}
        self.residual_ = [i for i in range(len(self.patterns)) if i not in accepted]
        if cached:
            _write_atomically(cached, ",".join(map(str, self.residual_)).encode() + b"\n" + hyperscan.dumpb(self.database_))

    def _compilable(self, entries: list[tuple[int, str]], extra: int = 0) -> list[tuple[int, str, int]]:
        """The entries Hyperscan compiles, each with its pattern's flags and ``extra``."""
        groups: dict[int, list[tuple[int, str]]] = {}
        for index, expression in entries:
            groups.setdefault(_flags(self.patterns[index], extra), []).append((index, expression))
        return [entry for flags, group in groups.items() for entry in _compilable(group, flags)]


def _flags(pattern: str, extra: int) -> int:
    """Hyperscan's flags for ``pattern`` with ``extra``. An exact pattern with letters outside ASCII is read as UTF-8
    with Unicode classes, so that ``\\w`` in ``накрутк\\w*`` takes Cyrillic letters (the text is always valid UTF-8:
    it is encoded here). Prefilters are left to bytes: with Unicode classes, SmokeDetector's ten such patterns
    took Hyperscan 20 s to compile instead of 0.05 s, so they are read bytewise, as before."""
    if pattern.isascii() or extra & hyperscan.HS_FLAG_PREFILTER:
        return _FLAGS | extra
    return _FLAGS | extra | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP


def _database(entries: list[tuple[int, str, int]]) -> hyperscan.Database:
    """One block-mode database of all ``entries`` (id, expression, flags)."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    if not entries:  # Hyperscan refuses an empty database: one pattern that never matches
        entries = [(0, "(?!)x", hyperscan.HS_FLAG_PREFILTER)]
    database.compile(expressions=[e.encode("utf-8") for _, e, _ in entries], ids=[i for i, _, _ in entries],
                     elements=len(entries), flags=[f for _, _, f in entries])
    return database


#: A letter of a script that does not put spaces between its words (Chinese, Japanese, Korean syllables, Thai, Lao,
#: Khmer, Burmese; with the katakana length mark, which is common to both kana), as a class of the ``regex`` module.
UNSPACED = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\u30fc]"
_UNSPACED = regex.compile(UNSPACED)


def unspaced(character: str) -> bool:
    """Whether ``character`` is a letter of a script that does not put spaces between its words: a word there
    may start or stop at any letter."""
    return _UNSPACED.match(character) is not None


def _collect(pattern_id: int, start: int, end: int, flags: int, candidates: list[int]) -> None:
    candidates.append(pattern_id)


def _literal_prefix(pattern: str) -> str:
    """Letters every match of ``pattern`` must start with (lower case), or "" when there are none to rely on."""
    m = regex.match(r"(?:\(\?[a-zA-Z-]+[:)])?\^?([a-zA-Z0-9 ]{3,})(?![*+?{|])", pattern)
    return m.group(1).casefold() if m else ""


def _relaxed(expression: str) -> str:
    """A superset form Hyperscan can compile as a prefilter: possessive quantifiers and atomic groups relaxed."""
    return regex.sub(r"([*+?}])\+", r"\1", expression).replace("(?>", "(?:")


def _compilable(entries: list[tuple[int, str]], flags: int) -> list[tuple[int, str, int]]:
    """The entries Hyperscan compiles with ``flags``: all at once when it can, else one by one."""
    if not entries:
        return []
    try:
        hyperscan.Database().compile(expressions=[e.encode("utf-8") for _, e in entries],
                                     ids=[i for i, _ in entries], elements=len(entries), flags=flags)
        return [(i, e, flags) for i, e in entries]
    except hyperscan.error:
        if len(entries) == 1:
            return []
        middle = len(entries) // 2  # halve until the refused patterns are isolated
        return _compilable(entries[:middle], flags) + _compilable(entries[middle:], flags)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
