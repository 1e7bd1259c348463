"""What the API and the review page both let a ninja do — a verdict, an appeal decided, trust revoked, records
scored on demand, the allow and block lists changed — checked once here, so the two doors cannot drift apart. A refusal is a :class:`WebError`: the API answers it as JSON, the
review page as its error page."""

from __future__ import annotations

from typing import Any

from sb_worker import broker, service
from sb_worker.errors import BadInput
from sb_worker.runtime import Runtime

VERDICTS = ("spam", "ham")
MAX_SCORE_RECORDS = 100  # records in one on-demand scoring request
UNDO_MINUTES = 10        # how long a ninja may undo their own verdict
CLAIM_MINUTES = 15       # how long a claim on a report lasts
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


def undo(rt: Runtime, report_id: int, ninja: Any) -> dict[str, Any]:
    """Undo a ninja's own verdict of the last few minutes: the report is open again, and neither is learned."""
    ninja, _ = ninja_and_note(ninja, "")
    try:
        return rt.store.verdicts.undo(report_id, ninja, UNDO_MINUTES)
    except BadInput as exc:
        raise WebError(404 if "does not exist" in str(exc) else 409, str(exc)) from None


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


def score_records(rt: Runtime, kind: object, records: object) -> dict[str, Any]:
    """Records (in `sb score`'s format) scored now by a scoring worker, nothing stored; for the API and the review
    page's scorer."""
    if kind not in ("editor", "edit"):
        raise WebError(400, "kind must be \"editor\" or \"edit\"")
    if not isinstance(records, list) or not 1 <= len(records) <= MAX_SCORE_RECORDS:
        raise WebError(400, f"records must be a list of 1 to {MAX_SCORE_RECORDS} records")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise WebError(400, f"records[{index}] must be an object (a record as `sb score` reads it)")
    answer = broker.ask_score(rt.settings, kind, records, rt.settings.score_wait_s)
    if answer is None:
        raise WebError(503, f"no scoring worker answered within {rt.settings.score_wait_s:g} s (SB_SCORE_WAIT_S); "
                            "are the scan workers running and keeping up?", {"Retry-After": "30"})
    if "error" in answer:
        raise WebError(400, answer["error"])
    return answer


def add_list_entry(rt: Runtime, name: Any, what: Any, value: Any, ninja: str, reason: Any) -> dict[str, Any]:
    """A domain, phrase or email domain put on the ninjas' block or allow list; the workers apply it within
    SB_MODEL_CHECK_S, without a restart."""
    if not all(isinstance(v, str) for v in (name, what, value)):
        raise WebError(400, "list, what and value must be text")
    try:
        return rt.store.lists.add(name, what, value, ninja, _reason(reason))
    except BadInput as exc:
        raise WebError(400, str(exc)) from None


def remove_list_entry(rt: Runtime, entry_id: int, ninja: str, reason: Any) -> dict[str, Any]:
    """An entry taken off its list (the audit keeps it)."""
    try:
        return rt.store.lists.remove(entry_id, ninja, _reason(reason))
    except BadInput as exc:
        raise WebError(404, str(exc)) from None


def _reason(reason: Any) -> str:
    if not isinstance(reason, str) or len(reason) > 2000:
        raise WebError(400, "reason must be text of at most 2,000 characters")
    return reason.strip()
