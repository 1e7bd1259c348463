"""Checking entity IDs from any producer (cron, API, CLI) before they reach a query."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sb_worker.scoring.pipeline import RecordError

MAX_ID = 2**31 - 1  # MusicBrainz IDs are PostgreSQL INTEGERs
_DIGITS = re.compile(r"\s*[+-]?[0-9]{1,19}\s*")


def parse_ids(kind: str, raw: Iterable[Any]) -> tuple[list[int], list[RecordError]]:
    """Valid IDs in first-seen order without repeats, and an error naming each one that is not a valid ID."""
    ids: dict[int, None] = {}
    errors = []
    for value in raw:
        if isinstance(value, str) and _DIGITS.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(RecordError(kind, _show(value), f"{kind} ID {_show(value)} is not an integer"))
        elif not 1 <= value <= MAX_ID:
            errors.append(RecordError(kind, str(value), f"{kind} ID {value} is out of range (1 to {MAX_ID})"))
        else:
            ids[value] = None
    return list(ids), errors


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
