"""Feature extraction: one MB record (a dict in the shape of DESIGN.md) in, one :class:`Features` out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from detectors.base import Features
from detectors.musicbrainz import BEGINNER
from sb_worker.errors import BadInput
from sb_worker.scoring.contacts import email_domains_in, messengers_in, phones_in
from sb_worker.scoring.text import normalise
from sb_worker.scoring.urls import domain_of, host_of, urls_in

KINDS = ("editor", "edit")


# The text fields of an edit's edit_data that a person writes (names, comments, annotation text).
_EDIT_TEXT_KEYS = ("name", "sort_name", "comment", "text", "changelog")


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


def _editor_features(entity_id: int, record: Mapping[str, Any], kind: str = "editor", text: str | None = None,
                     added: tuple[str, ...] = (), **extra: Any) -> Features:
    """An editor's features; an edit passes its own kind, text and added URLs and inherits the rest."""
    text = _text(record, "bio") if text is None else text
    website = _text(record, "website").strip()
    norm = normalise(text)
    text_urls = urls_in(norm.clean)
    url_domains = tuple(domain_of(host_of(u))[0] for u in text_urls)
    website_host = host_of(website) if website else ""
    hosts = [h for h in map(host_of, (*text_urls, *added)) if h] + ([website_host] if website_host else [])
    counts = _mapping(record, "counts")
    privs = _int(record, "privs")
    email = _text(record, "email")
    local, _, email_domain = email.rpartition("@")
    since = _time(record, "member_since")
    return Features(
        kind=kind,
        entity_id=entity_id,
        name=_text(record, "name"),
        text=text,
        skeleton=norm.skeleton,
        disguises=norm.disguises,
        text_length=len(text),
        website=website,
        website_domain=domain_of(website_host)[0] if website_host else "",
        text_urls=text_urls,
        text_domains=tuple(sorted(set(url_domains) - {""})),
        text_url_domains=url_domains,
        added_urls=added,
        added_domains=_domains(added),
        hosts=tuple(dict.fromkeys(hosts)),
        free_hosts=tuple(dict.fromkeys(h for h in hosts if domain_of(h)[1])),
        phones=phones_in(norm.skeleton),
        text_email_domains=email_domains_in(norm.clean),
        messengers=messengers_in(norm.clean),  # handles as written: leetspeak folding would change them
        email_domain=email_domain.lower(),
        email_local=local,
        is_beginner=None if privs is None else bool(privs & BEGINNER),
        edit_count=_int(counts, "edits"),
        accepted_edit_count=_int(counts, "accepted_edits"),
        vote_count=_int(counts, "votes"),
        note_count=_int(counts, "notes"),
        gender_set=_is_set(record, "gender"),
        area_set=_is_set(record, "area"),
        birth_date_set=_is_set(record, "birth_date"),
        hours_to_update=_hours(since, _time(record, "last_updated")),
        hours_to_confirm=_hours(since, _time(record, "email_confirm_date")),
        **extra,
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
    added = record.get("urls") or []
    if not isinstance(added, list) or not all(isinstance(u, str) for u in added):
        raise BadInput("field 'urls' must be a list of strings")
    link_type = data.get("link_type")
    link_types = (link_type.get("id"),) if isinstance(link_type, Mapping) and isinstance(link_type.get("id"), int) else ()
    editor = _mapping(record, "editor_record")
    return _editor_features(entity_id, {**editor, "website": None}, kind="edit",
                            text="\n".join(p for p in parts if p), added=tuple(_clean(u) for u in added),
                            edit_type=_int(record, "type"), link_types=link_types)


def _domains(urls: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({d for d in (domain_of(host_of(u))[0] for u in urls) if d}))


def _is_set(record: Mapping[str, Any], key: str) -> bool | None:
    return None if key not in record else record[key] not in (None, "")


def _time(record: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"field {key!r} must be an ISO 8601 timestamp, got {type(value).__name__}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"field {key!r} is not an ISO 8601 timestamp: {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _hours(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds() / 3600


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


def profile_fingerprint(record: Mapping[str, Any]) -> str:
    """What trust in an account is given for: its bio and website (so the website's domain). Any change to either
    gives another fingerprint."""
    profile = json.dumps([_text(record, "bio"), _text(record, "website").strip()], ensure_ascii=False)
    return hashlib.sha256(profile.encode("utf-8", "surrogatepass")).hexdigest()
