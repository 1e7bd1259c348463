"""What the API and the review page both let a ninja do — a verdict, an appeal decided, trust revoked — checked
once here, so the two doors cannot drift apart. A refusal is a :class:`WebError`: the API answers it as JSON, the
review page as its error page."""

from __future__ import annotations

from typing import Any

from sb_worker import service
from sb_worker.errors import BadInput
from sb_worker.runtime import Runtime

VERDICTS = ("spam", "ham")
DECISIONS = ("upheld", "rejected")


class WebError(Exception):
    """An answer other than success: a status and a message naming what is wrong."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def ninja_and_note(ninja: Any, note: Any) -> tuple[str, str]:
    """The ninja's name (stripped) and the note of a verdict or an appeal decision, checked."""
    if not isinstance(ninja, str) or not ninja.strip() or len(ninja) > 200:
        raise WebError(400, "ninja must be the ninja's name (1 to 200 characters)")
    if not isinstance(note, str) or len(note) > 10_000:
        raise WebError(400, "note must be text of at most 10,000 characters")
    return ninja.strip(), note


def verdict(rt: Runtime, report_id: int, said: Any, ninja: Any, note: Any, trust: Any = False) -> dict[str, Any]:
    """A ninja's verdict on a report (and, with ``trust``, trust in its account), recorded."""
    if said not in VERDICTS:
        raise WebError(400, "verdict must be \"spam\" or \"ham\"")
    ninja, note = ninja_and_note(ninja, note)
    if not isinstance(trust, bool):
        raise WebError(400, "trust must be true or false")
    if rt.store.reports.report_json(report_id) is None:
        raise WebError(404, f"report {report_id} does not exist")
    try:
        return service.record_verdict(rt, report_id, said, ninja, note, trust)
    except BadInput as exc:
        raise WebError(400, str(exc)) from None


def decide_appeal(rt: Runtime, appeal_id: int, decision: Any, ninja: Any, note: Any) -> dict[str, Any]:
    """Uphold an appeal (the report was not spam) or reject it (it was): also the verdict on the report."""
    if decision not in DECISIONS:
        raise WebError(400, "decision must be \"upheld\" or \"rejected\"")
    ninja, note = ninja_and_note(ninja, note)
    try:
        return service.decide_appeal(rt, appeal_id, decision == "upheld", ninja, note)
    except BadInput as exc:
        raise WebError(404, str(exc)) from None


def revoke_trust(rt: Runtime, kind: str, editor_id: int, ninja: str) -> None:
    """End the trust in an account: it is reported again like any other."""
    if not rt.store.verdicts.revoke_trust(kind, editor_id, ninja):
        raise WebError(404, f"{kind[:40]} {editor_id} is not trusted")
