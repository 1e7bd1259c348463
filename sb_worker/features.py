"""Feature extraction: one MB record (a dict in the shape of DESIGN.md) in, one :class:`Features` out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from detectors.base import Features
from sb_worker.errors import BadInput

KINDS = ("editor", "edit")

# MB editor.privs bits that scoring reads (see DESIGN.md). SPAMMER (4096) is the label: never a feature.
BEGINNER = 8192

# The text fields of an edit's edit_data that a person writes (names, comments, annotation text).
_EDIT_TEXT_KEYS = ("name", "sort_name", "comment", "text", "changelog")

_URL = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+""")


def host_of(url: str) -> str:
    """The lower-case host of ``url`` without a leading "www.", or "" when it has none."""
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def urls_in(text: str) -> tuple[str, ...]:
    """The URLs written in ``text``, in order, trailing punctuation removed."""
    return tuple(m.group(0).rstrip(".,;:!?") for m in _URL.finditer(text))


def extract(kind: str, record: Mapping[str, Any]) -> Features:
    """Features of one editor or edit record; raises :class:`BadInput` naming the field that is wrong."""
    if not isinstance(record, Mapping):
        raise BadInput(f"a record must be a JSON object, got {type(record).__name__}")
    entity_id = _int(record, "id", required=True)
    if kind == "editor":
        return _editor_features(entity_id, record)
    if kind == "edit":
        return _edit_features(entity_id, record)
    raise BadInput(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")


def _editor_features(entity_id: int, record: Mapping[str, Any]) -> Features:
    bio = _text(record, "bio")
    website = _text(record, "website").strip()
    urls = urls_in(bio)
    counts = _mapping(record, "counts")
    privs = _int(record, "privs")
    return Features(
        kind="editor",
        entity_id=entity_id,
        text=bio,
        website=website,
        website_domain=host_of(website) if website else "",
        text_urls=urls,
        text_domains=tuple(sorted({h for h in map(host_of, urls) if h})),
        is_beginner=None if privs is None else bool(privs & BEGINNER),
        edit_count=_int(counts, "edits"),
        accepted_edit_count=_int(counts, "accepted_edits"),
    )


def _edit_features(entity_id: int, record: Mapping[str, Any]) -> Features:
    data = _mapping(record, "data")
    parts = [_text(data, key) for key in _EDIT_TEXT_KEYS]
    new = data.get("new")
    if isinstance(new, Mapping):
        parts += [_text(new, key) for key in _EDIT_TEXT_KEYS]
    notes = record.get("notes") or []
    if not isinstance(notes, list):
        raise BadInput(f"field 'notes' must be a list, got {type(notes).__name__}")
    parts += [_text(note, "text") for note in notes if isinstance(note, Mapping)]
    text = "\n".join(p for p in parts if p)
    urls = urls_in(text)
    added = record.get("urls") or []
    if not isinstance(added, list) or not all(isinstance(u, str) for u in added):
        raise BadInput("field 'urls' must be a list of strings")
    editor = _editor_features(_int(record, "editor") or 0, _mapping(record, "editor_record"))
    return Features(
        kind="edit",
        entity_id=entity_id,
        text=text,
        text_urls=urls,
        text_domains=tuple(sorted({h for h in map(host_of, urls) if h})),
        added_urls=tuple(_clean(u) for u in added),
        is_beginner=editor.is_beginner,
        edit_count=editor.edit_count,
        accepted_edit_count=editor.accepted_edit_count,
    )


def _clean(text: str) -> str:
    """``text`` with lone surrogates (invalid Unicode from JSON escapes) replaced, so it can be stored."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"field {key!r} must be a string, got {type(value).__name__}")
    return _clean(value)


def _int(record: Mapping[str, Any], key: str, required: bool = False) -> int | None:
    value = record.get(key)
    if value is None:
        if required:
            raise BadInput(f"field {key!r} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"field {key!r} must be an integer, got {type(value).__name__}")
    return value


def _mapping(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadInput(f"field {key!r} must be an object, got {type(value).__name__}")
    return value
