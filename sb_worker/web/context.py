"""What a card on the review page shows around the text: the account's age and activity, its email confirmation,
its recent edits with the URLs they add and its edit notes, from the record the worker scored. Pure: a record and
the time now in, :class:`Context` out; times are given absolute and relative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from detectors.musicbrainz import EDIT_STATUS_NAMES, EDIT_TYPE_NAMES
from sb_worker.storage.mb import COUNT_CAP, added_urls

SHOWN_NOTE_CHARS = 500   # of each edit note on a card


@dataclass(frozen=True)
class When:
    """A time as ``absolute`` (UTC, to the minute), ``relative`` ("3 days ago") and ``iso`` (for <time>)."""

    iso: str
    absolute: str
    relative: str


@dataclass(frozen=True)
class Edit:
    id: int
    what: str          # "add relationship", or "edit type 12"
    status: str
    when: When | None
    urls: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    text: str
    when: When | None


@dataclass(frozen=True)
class Context:
    """The account around a report: ``facts`` as (label, text, time or None), its counts, edits and notes."""

    facts: list[tuple[str, str, When | None]] = field(default_factory=list)
    counts: str = ""
    edits: list[Edit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def _parse(value: Any) -> dt.datetime | None:
    """An ISO time from a record (UTC when it names no zone); None for no time or one that cannot be read."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def when(value: Any, now: dt.datetime) -> When | None:
    """An ISO time from a record as :class:`When`, or None."""
    at = _parse(value)
    if at is None:
        return None
    return When(at.isoformat(), at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), ago(now - at))


def ago(delta: dt.timedelta) -> str:
    """A duration as a person says it: "just now", "5 minutes ago", "3 days ago", "in 2 hours"."""
    seconds = delta.total_seconds()
    later, seconds = seconds < 0, abs(seconds)
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            span = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {span}" if later else f"{span} ago"
    return "just now"


def _after(start: Any, end: Any) -> str:
    """How long after ``start`` ``end`` came ("3 minutes after registering"), or "" if either is missing."""
    a, b = _parse(start), _parse(end)
    if a is None or b is None:
        return ""
    span = ago(b - a)
    return "at once" if span == "just now" else span.removesuffix(" ago") + " after registering"


def _count(counts: dict[str, Any], key: str) -> str:
    value = counts.get(key)
    if not isinstance(value, int):
        return "?"
    return f"{value:,}+" if value >= COUNT_CAP else f"{value:,}"


def account_context(record: dict[str, Any], now: dt.datetime) -> Context:
    """The context of an editor record (of an edit's editor, for an edit report)."""
    if not record:
        return Context()
    facts: list[tuple[str, str, When | None]] = []
    for label, key in (("Member since", "member_since"), ("Last login", "last_login_date"),
                       ("Profile changed", "last_updated")):
        at = when(record.get(key), now)
        facts.append((label, "" if at else "never", at))
    confirmed = when(record.get("email_confirm_date"), now)
    facts.append(("Email", "confirmed " + _after(record.get("member_since"), record.get("email_confirm_date"))
                  if confirmed else "not confirmed", confirmed))
    counts = record.get("counts") if isinstance(record.get("counts"), dict) else {}
    summary = (f"{_count(counts, 'edits')} edits ({_count(counts, 'accepted_edits')} accepted) · "
               f"{_count(counts, 'votes')} votes · {_count(counts, 'notes')} edit notes · "
               f"{_count(counts, 'annotations')} annotations · {_count(counts, 'collections')} collections")
    edits = [Edit(e.get("id", 0), EDIT_TYPE_NAMES.get(e.get("type"), f"edit type {e.get('type')}"),
                  EDIT_STATUS_NAMES.get(e.get("status"), f"status {e.get('status')}"), when(e.get("open_time"), now),
                  tuple(added_urls(e.get("type"), e.get("data"))))
             for e in record.get("edits") or () if isinstance(e, dict)]
    return Context(facts, summary, edits, notes_of(record.get("notes"), now))


def record_context(shape: str, record: dict[str, Any], now: dt.datetime) -> Context:
    """The account around a record: an editor's own, or an edit's editor's with the edit's notes."""
    if shape == "editor":
        return account_context(record, now)
    return replace(account_context(record.get("editor_record") or {}, now), notes=notes_of(record.get("notes"), now))


def notes_of(notes: Any, now: dt.datetime) -> list[Note]:
    return [Note(str(n.get("text", ""))[:SHOWN_NOTE_CHARS], when(n.get("post_time"), now))
            for n in notes or () if isinstance(n, dict)]
