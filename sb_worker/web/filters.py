"""The review page's search and filters, read from its query string (or a form that carries them on), checked, and
turned into the store's :class:`ReportQuery`. A value that is not one the page offers is a 400 naming it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from typing import Any

from detectors.registry import NAMES as DETECTORS
from sb_worker.storage.store.reports import ReportQuery
from sb_worker.web.actions import WebError

BANDS = ("90-100", "80-89", "70-79", "60-69", "50-59", "40-49", "30-39", "20-29", "10-19", "0-9")
STATUSES = {"open": "open", "spam": "judged spam", "ham": "judged not spam", "all": "open or judged"}
ITEMS = {"report": "reports", "audit": "audit sample"}  # what the list shows besides reports: "" for both
MAX_SEARCH = 200       # characters of a search
CAMPAIGN = re.compile(r"(domain|contact):[^\s]{1,200}|text:\d{1,18}")
#: Every filter, with its value when not given.
DEFAULTS = {"q": "", "name": "", "kind": "", "status": "open", "band": "", "detector": "", "campaign": "",
            "since": "", "until": "", "item": "", "page": 1}


def read(source: Mapping[str, str], kinds: Collection[str]) -> dict[str, Any]:
    """The filters in ``source``; ``kinds`` are the sources configured."""
    found = {name: source.get(name, str(default)).strip() for name, default in DEFAULTS.items()}
    for name in ("q", "name"):
        if len(found[name]) > MAX_SEARCH:
            raise WebError(400, f"{name} must be at most {MAX_SEARCH} characters")
    checks = [("kind", kinds, "kind"), ("status", STATUSES, "status"), ("band", BANDS, "score band"),
              ("detector", DETECTORS, "detector"), ("item", ITEMS, "item")]
    for name, allowed, what in checks:
        if found[name] and found[name] not in allowed:
            raise WebError(400, f"unknown {what} {found[name][:40]!r}; one of {', '.join(allowed)}")
    if found["campaign"] and not CAMPAIGN.fullmatch(found["campaign"]):
        raise WebError(400, "campaign must be domain:NAME, contact:NUMBER-OR-HANDLE or text:REPORT, as the page "
                            "links it")
    for name in ("since", "until"):
        if found[name]:
            try:
                found[name] = dt.date.fromisoformat(found[name]).isoformat()
            except ValueError:
                raise WebError(400, f"{name} must be a date as YYYY-MM-DD") from None
    try:
        found["page"] = int(found["page"])
    except ValueError:
        raise WebError(400, "page must be a whole number") from None
    if not 1 <= found["page"] <= 1_000_000:
        raise WebError(400, "page must be between 1 and 1,000,000")
    return found


def query(filters: Mapping[str, Any], entities: tuple[tuple[str, int], ...] | None = None) -> ReportQuery:
    """The store's query for ``filters``; ``entities`` are the (kind, ID) pairs a search by name, or a campaign of
    near-copies, found."""
    low, high = map(int, filters["band"].split("-")) if filters["band"] else (0, 100)
    return ReportQuery(
        status=None if filters["status"] == "all" else filters["status"], low=low, high=high,
        detector=filters["detector"] or None, kind=filters["kind"] or None,
        campaign=filters["campaign"] if filters["campaign"] and not near_copies(filters) else None,
        text=filters["q"] or None, entities=entities,
        since=dt.date.fromisoformat(filters["since"]) if filters["since"] else None,
        until=dt.date.fromisoformat(filters["until"]) if filters["until"] else None,
        audit={"": None, "report": False, "audit": True}[filters["item"]])


def link_args(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters that differ from their defaults, for a link that keeps them (the page is left out)."""
    return {k: v for k, v in filters.items() if k != "page" and v != DEFAULTS[k]}


def narrowed(filters: Mapping[str, Any]) -> bool:
    """Whether anything but the page and the status narrows the list."""
    return any(v != DEFAULTS[k] for k, v in filters.items() if k not in ("page", "status"))


def near_copies(filters: Mapping[str, Any]) -> int | None:
    """The report that heads the campaign of near-copies chosen, if one is."""
    what, _, value = filters["campaign"].partition(":")
    return int(value) if what == "text" else None
