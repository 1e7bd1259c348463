"""The spam ninjas' review page: open reports with the text that triggered each reason marked, and one-click
verdicts. Server-rendered HTML, no JavaScript; sign-in with a token of scope ``feedback``.

The account's text is shown as text: escaped by the templates, links never made clickable, and invisible or
direction-changing characters shown as their code points, so a hostile bio cannot run, redirect or reorder.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from flask import Blueprint, Response, abort, make_response, redirect, render_template, request, url_for

from detectors.registry import NAMES as DETECTORS
from sb_worker import runtime
from sb_worker.scoring.pipeline import HEURISTIC_VERSION
from sb_worker.web import actions, filters
from sb_worker.web.marks import highlight, items
from sb_worker.web.tokens import hash_token

SESSION_COOKIE = "sb_review"
SIGNIN_COOKIE = "sb_signin"   # the sign-in form's CSRF secret (double-submit: cookie and form must agree)
SESSION_HOURS = 12
PER_PAGE = 25
MAX_GROUP = 500        # reports judged in one campaign verdict
NAMED_LIMIT = 1000     # accounts a search by name looks at
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'")

blueprint = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")


def protect(response: Response) -> Response:
    """No scripts, no framing, no referrer, no caching of a page that shows personal data."""
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


blueprint.after_request(protect)


# -- signing in ----------------------------------------------------------------------------------------------------
def _session_hash() -> bytes | None:
    raw = request.cookies.get(SESSION_COOKIE)
    return hashlib.sha256(raw.encode("utf-8", "replace")).digest() if raw else None


def signed_in() -> dict[str, Any] | None:
    id_hash = _session_hash()
    return runtime.get().store.access.session(id_hash) if id_hash else None


def _cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/review", httponly=True, samesite="Strict",
                        secure=request.is_secure)


def form_session() -> dict[str, Any]:
    """The session of a POSTed form whose CSRF secret is the session's: else to sign-in (303), or 403."""
    session = signed_in()
    if session is None:
        abort(redirect(url_for("review.signin_form"), 303))
    if not _same(request.form.get("csrf"), session["csrf"]):
        abort(403, "the form's CSRF token is missing or wrong; reload the page and try again")
    return session


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


@blueprint.get("/signin")
def signin_form(message: str = "", status: int = 200) -> Response:
    """The sign-in form, with a fresh CSRF secret in a cookie and in the form."""
    csrf = secrets.token_urlsafe(32)
    response = make_response(render_template("signin.html", csrf=csrf, message=message), status)
    _cookie(response, SIGNIN_COOKIE, csrf, 3600)
    return response


@blueprint.post("/signin")
def signin() -> Response:
    """Check the token (scope ``feedback`` or ``admin``) and open a session."""
    if not _same(request.form.get("csrf"), request.cookies.get(SIGNIN_COOKIE)):
        return signin_form("The form had expired. Please sign in again.", 403)
    token = request.form.get("token", "").strip()
    found = runtime.get().store.access.token(hash_token(token)) if token else None
    if found is None:
        return signin_form("Unknown or revoked token.", 401)
    if not {"feedback", "admin"} & set(found["scopes"]):
        return signin_form("This token lacks the feedback scope.", 403)
    session_id = secrets.token_urlsafe(32)
    runtime.get().store.access.add_session(hashlib.sha256(session_id.encode()).digest(), found["id"],
                                    secrets.token_urlsafe(32), SESSION_HOURS)
    response = redirect(url_for("review.reports"), 303)
    _cookie(response, SESSION_COOKIE, session_id, SESSION_HOURS * 3600)
    response.delete_cookie(SIGNIN_COOKIE, path="/review")
    return response


@blueprint.post("/signout")
def signout() -> Response:
    """End the session (the form carries its CSRF secret like every other)."""
    session = signed_in()
    if session is not None and _same(request.form.get("csrf"), session["csrf"]):
        runtime.get().store.access.end_session(_session_hash())
    response = redirect(url_for("review.signin_form"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/review")
    return response


# -- the list and the verdicts -------------------------------------------------------------------------------------
def _filters() -> dict[str, Any]:
    """The page's filters from the query string, or from a form that carries them on."""
    return filters.read(request.form if request.method == "POST" else request.args, runtime.get().sources)


def undoable(rt: runtime.Runtime, ninja: str, report_ids: list[int]) -> set[int]:
    """Which of the reports carry, as their latest verdict, one that ``ninja`` may still undo."""
    latest = rt.store.verdicts.latest(report_ids) if report_ids else {}
    return {i for i, v in latest.items()
            if v["ninja"] == ninja and v["verdict"] != "undo" and v["minutes"] < actions.UNDO_MINUTES}


def campaign_label(key: str) -> str:
    """What a campaign's members share, in words: "link to example.ru", "give the contact +447911123456", "have
    near-identical text"."""
    what, _, value = key.partition(":")
    return {"domain": f"link to {value}", "contact": f"give the contact {value}"}.get(what, "have near-identical text")


@blueprint.get("")
def reports() -> Response:
    """Open reports, highest score first, one page at a time."""
    session = signed_in()
    if session is None:
        return redirect(url_for("review.signin_form"), 303)
    chosen = _filters()
    rt = runtime.get()
    one = request.args.get("report", "")
    if one.isdigit() and int(one) < 2**63:  # the link a sink sends: that report, open or judged already
        found = rt.store.reports.report_json(int(one))
        page = {"reports": [json.loads(found)] if found else [], "total": 1 if found else 0}
    else:
        entities = None
        if (head := filters.near_copies(chosen)) is not None:  # near-copies are grouped in Python, not in SQL
            entities = tuple(rt.store.reports.near_copies_of(head))
        if chosen["name"]:  # names live in the sources, not in SpamBrainz's database: ask them
            kinds = [chosen["kind"]] if chosen["kind"] else list(rt.sources)
            named = {(k, i) for k in kinds for i in rt.sources[k].named(chosen["name"], NAMED_LIMIT)}
            entities = tuple(e for e in entities if e in named) if entities is not None else tuple(sorted(named))
        page = json.loads(rt.store.reports.page_json(filters.query(chosen, entities), chosen["page"], PER_PAGE))
    thresholds, automatic_action = rt.store.config.threshold_settings()
    everything = not filters.narrowed(chosen)  # appeals and campaigns lead the whole list, not a search
    appeals = json.loads(rt.store.verdicts.appeals_json("open")) if everything else []
    appealed = items([json.loads(rt.store.reports.report_json(a["report_id"])) for a in appeals])
    notices = _notices(rt)
    return render_template(
        "review.html", session=session, filters=chosen, link=filters.link_args(chosen),
        narrowed=not everything, bands=filters.BANDS, detectors=DETECTORS, statuses=filters.STATUSES,
        items_shown=filters.ITEMS, kinds=list(rt.sources),
        items=items(page["reports"]), total=page["total"],
        appeals=[(a, item, highlight(a["message"], [])) for a, item in zip(appeals, appealed)], pages=max(1, -(-page["total"] // PER_PAGE)),
        model=rt.store.models.active() or HEURISTIC_VERSION, thresholds=thresholds,
        automatic_action=automatic_action, **notices,
        campaigns=[(c["key"], campaign_label(c["key"]), c["reports"]) for c in rt.store.reports.campaigns()]
        if everything else [],
        campaign_label=campaign_label(chosen["campaign"]) if chosen["campaign"] else "",
        undoable=undoable(rt, session["name"], [r["id"] for r in page["reports"]]
                          + ([int(notices["done"])] if notices["done"] else [])),
        site_url=rt.settings.musicbrainz_url.rstrip("/"))


def _notices(rt: runtime.Runtime) -> dict[str, Any]:
    """What the page says about the action that led to it (from the redirect's query string): the report just
    judged (``done``, ``said``, and the account just trusted, to undo that), a campaign's members judged, an undo."""
    number = {k: v if (v := request.args.get(k, "")).isdigit() and int(v) < 2**63 else "" for k in
              ("done", "judged", "undone")}
    trusted_now = None
    if number["done"] and request.args.get("trusted") == "1":
        found = rt.store.reports.report_json(int(number["done"]))
        report = json.loads(found) if found else None
        if report and rt.store.verdicts.trusted_ids(report["kind"], [report["entity_id"]]):
            trusted_now = report  # the notice offers to undo the trust just given
    said = request.args.get("said")
    return {**number, "trusted_now": trusted_now, "said": said if said in ("spam", "ham") else ""}


@blueprint.post("/reports/<int:report_id>/verdict")
def verdict(report_id: int) -> Response:
    """Record a ninja's verdict (committed before the trainer is woken) and go back to the list."""
    session = form_session()
    buttons = {"spam": ("spam", False), "ham": ("ham", False), "ham-trust": ("ham", True)}
    if request.form.get("verdict") not in buttons:
        abort(400, "verdict must be spam, ham or ham-trust")
    said, trust = buttons[request.form["verdict"]]
    chosen = _filters()
    actions.verdict(runtime.get(), report_id, said, session["name"], request.form.get("note", "").strip(), trust)
    kept = {**filters.link_args(chosen), **({"page": chosen["page"]} if chosen["page"] > 1 else {})}
    return redirect(url_for("review.reports", **kept, done=report_id, said=said, trusted=1 if trust else None), 303)


@blueprint.post("/reports/<int:report_id>/claim")
def claim(report_id: int) -> Response:
    """Claim a report while looking at it (for CLAIM_MINUTES; a verdict ends it), or release one's claim."""
    session = form_session()
    store = runtime.get().store
    if request.form.get("release"):
        store.reports.release(report_id, session["name"])
    elif store.reports.claim(report_id, session["name"], actions.CLAIM_MINUTES) is None:
        raise actions.WebError(409, f"report {report_id} is judged already, or another ninja is looking at it")
    return redirect(url_for("review.reports", report=report_id), 303)


@blueprint.post("/reports/<int:report_id>/undo")
def undo(report_id: int) -> Response:
    """Undo one's own verdict of the last few minutes: the report is open again."""
    session = form_session()
    actions.undo(runtime.get(), report_id, session["name"])
    return redirect(url_for("review.reports", report=report_id, undone=report_id), 303)


@blueprint.post("/campaigns/verdict")
def campaign_verdict() -> Response:
    """One verdict for the checked reports of a campaign: each gets its own verdict row, learned once."""
    session = form_session()
    said = request.form.get("verdict")
    if said not in ("spam", "ham"):
        abort(400, "verdict must be spam or ham")
    members = request.form.getlist("member")
    if not members or len(members) > MAX_GROUP or not all(m.isdigit() and int(m) < 2**63 for m in members):
        abort(400, f"check from 1 to {MAX_GROUP} reports of the campaign to judge them")
    note = request.form.get("note", "").strip()
    for report_id in dict.fromkeys(map(int, members)):
        actions.verdict(runtime.get(), report_id, said, session["name"], note)
    return redirect(url_for("review.reports", judged=len(set(members)), said=said), 303)


@blueprint.post("/appeals/<int:appeal_id>/decision")
def decide_appeal(appeal_id: int) -> Response:
    """Uphold an appeal (the report was not spam) or reject it (it was): also the verdict on the report."""
    session = form_session()
    actions.decide_appeal(runtime.get(), appeal_id, request.form.get("decision"), session["name"], "")
    return redirect(url_for("review.reports"), 303)


@blueprint.post("/trusted/<int:editor_id>/revoke")
def revoke_trust(editor_id: int) -> Response:
    """End the trust in an account: it is reported again like any other."""
    session = form_session()
    actions.revoke_trust(runtime.get(), request.form.get("kind", "editor"), editor_id, session["name"])
    report = request.form.get("report", "")
    return redirect(url_for("review.reports", report=report) if report.isdigit() else url_for("review.reports"), 303)


@blueprint.errorhandler(400)
@blueprint.errorhandler(403)
@blueprint.errorhandler(404)
def _error(exc: Any) -> tuple[str, int]:
    return render_template("error.html", message=exc.description), exc.code


@blueprint.errorhandler(actions.WebError)
def _refused(exc: actions.WebError) -> tuple[str, int]:
    return render_template("error.html", message=exc.message), exc.status
