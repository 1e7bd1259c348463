"""What every API request is checked for before its view runs: a bearer token with the view's scope, and a body
that is one JSON object with known fields, read through :mod:`sb_worker.untrusted`; and the report list's query
parameters."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import current_app, g, request

from detectors.registry import NAMES as DETECTORS
from sb_worker import runtime, untrusted
from sb_worker.storage.store.reports import ReportQuery
from sb_worker.web.actions import WebError
from sb_worker.web.tokens import hash_token

MAX_BODY = 1_000_000  # bytes; bigger requests get 413
TOKEN_TTL_S = 5.0     # a verified token is trusted this long without asking the database; revocation waits as long


def requires(scope: str | None) -> Callable:
    """Check the bearer token (and its scope, when one is named) before the view runs."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer ") or not header[7:].strip():
                raise WebError(401, "a bearer token is required (Authorization: Bearer …)",
                               {"WWW-Authenticate": "Bearer"})
            presented = hash_token(header[7:].strip())
            verified = current_app.extensions.setdefault("sb_verified_tokens", {})  # hash -> (when checked, row)
            checked_at, found = verified.get(presented, (0.0, None))
            if time.monotonic() - checked_at > TOKEN_TTL_S:
                found = runtime.get().store.access.token(presented)
                if found is not None:
                    verified[presented] = (time.monotonic(), found)
            if found is None or not hmac.compare_digest(found["token_hash"], presented):
                raise WebError(401, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
            if scope and scope not in found["scopes"] and "admin" not in found["scopes"]:
                raise WebError(403, f"this token lacks the {scope!r} scope")
            g.token_name = found["name"]
            return view(*args, **kwargs)
        return checked
    return decorate


def body(*known: str) -> dict[str, Any]:
    """The request's JSON object, checked by ``untrusted.loads``; a field not in ``known`` is a 400."""
    if not request.is_json:
        raise WebError(400, "the body must be a JSON object (Content-Type: application/json)")
    raw = request.get_data()  # a Content-Length past MAX_BODY is a 413 (RequestEntityTooLarge) here
    if len(raw) >= MAX_BODY:  # a chunked body is cut at the limit: reading on is a 413 when there was more
        request.stream.read(1)
    try:
        data = untrusted.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise WebError(400, f"the body is not UTF-8 (byte {exc.start + 1})") from None
    if not isinstance(data, dict):
        raise WebError(400, "the body must be a JSON object (Content-Type: application/json)")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise WebError(400, f"unknown field(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return data


def report_query(args: Mapping[str, str], status: str | None) -> tuple[ReportQuery, int, int]:
    """``GET /v1/reports``' query parameters, checked: the query (min_score, max_score, detector, item), page and
    per_page. Audit items are left out unless ``item`` asks for them: a client acting on reports must not act on
    an account SpamBrainz did not report."""
    low, high = _number(args, "min_score", 0), _number(args, "max_score", 100)
    page = int(_number(args, "page", 1, minimum=1, maximum=1_000_000))
    per_page = int(_number(args, "per_page", 50, minimum=1, maximum=200))
    detector = args.get("detector") or None
    if detector is not None and detector not in DETECTORS:
        raise WebError(400, f"unknown detector {detector[:100]!r}; known: {', '.join(DETECTORS)}")
    items = {"report": False, "audit": True, "all": None}
    item = args.get("item", "report")
    if item not in items:
        raise WebError(400, f"item must be one of {', '.join(items)}, got {item[:40]!r}")
    return ReportQuery(status=status, low=low, high=high, detector=detector, audit=items[item]), page, per_page


def _number(args: Mapping[str, str], name: str, default: float, minimum: float = 0, maximum: float = 100) -> float:
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise WebError(400, f"{name} must be a number") from None
    if not minimum <= value <= maximum:
        raise WebError(400, f"{name} must be between {minimum:g} and {maximum:g}")
    return value
