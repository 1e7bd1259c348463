"""The review area's pages beside the list: each ninja's verdicts and their agreement, the allow and block lists
(changed by admins), and the scorer for a pasted text. Routes of the review blueprint, with its sign-in and CSRF."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for

from sb_worker import runtime
from sb_worker.web import actions
from sb_worker.web.marks import highlight
from sb_worker.web.review import form_session, signed_in, blueprint

MAX_PASTED = 20_000    # characters of each field pasted into the scorer


# -- the ninjas and their verdicts ---------------------------------------------------------------------------------
@blueprint.get("/ninjas")
def ninjas() -> Response:
    """Every ninja's verdicts and how often they agree with the others; one ninja's history with ?ninja=NAME."""
    session = signed_in()
    if session is None:
        return redirect(url_for("review.signin_form"), 303)
    store = runtime.get().store
    name = request.args.get("ninja", "")[:200]
    return render_template("ninjas.html", session=session, ninjas=store.verdicts.ninjas(), name=name,
                           history=store.verdicts.history(name) if name else [])


# -- the ninjas' allow and block lists -----------------------------------------------------------------------------
@blueprint.get("/lists")
def lists() -> Response:
    """The allow and block lists with their audit; ninjas whose token has the admin scope change them here."""
    session = signed_in()
    if session is None:
        return redirect(url_for("review.signin_form"), 303)
    audit = runtime.get().store.lists.audit()
    return render_template("lists.html", session=session, admin="admin" in session["scopes"],
                           live=[e for e in audit if e["removed_at"] is None], audit=audit,
                           done=request.args.get("done", "")[:200])


@blueprint.post("/lists")
def add_to_list() -> Response:
    session = _admin_form_session()
    added = actions.add_list_entry(runtime.get(), request.form.get("list"), request.form.get("what"),
                                   request.form.get("value", ""), session["name"], request.form.get("reason", ""))
    return redirect(url_for("review.lists", done=f"added {added['value']} to the {added['list']} list"), 303)


@blueprint.post("/lists/<int:entry_id>/remove")
def remove_from_list(entry_id: int) -> Response:
    session = _admin_form_session()
    removed = actions.remove_list_entry(runtime.get(), entry_id, session["name"], request.form.get("reason", ""))
    return redirect(url_for("review.lists", done=f"removed {removed['value']} from the {removed['list']} list"), 303)


def _admin_form_session() -> dict[str, Any]:
    session = form_session()
    if "admin" not in session["scopes"]:
        abort(403, "changing the lists needs a token with the admin scope")
    return session


# -- scoring on demand ---------------------------------------------------------------------------------------------
@blueprint.get("/score")
def scorer() -> Response:
    """A box to paste a bio and a website into and see the score, reasons and marks a scoring worker gives it."""
    session = signed_in()
    if session is None:
        return redirect(url_for("review.signin_form"), 303)
    return render_template("score.html", session=session, record={}, result=None)


@blueprint.post("/score")
def score_text() -> str:
    """Score what was pasted as an editor record, storing nothing, and show it marked as a report would be."""
    session = form_session()
    record = {"id": 1, **{k: request.form.get(k, "")[:MAX_PASTED] for k in ("name", "website", "bio")}}
    [result] = actions.score_records(runtime.get(), "editor", [record])["results"]
    if "error" in result:
        raise actions.WebError(400, result["error"])
    marked = [(label, highlight(record[field], result["reasons"], key))
              for label, field, key in (("Website", "website", "website"), ("Bio", "bio", "text")) if record[field]]
    return render_template("score.html", session=session, record=record, result=result, marked=marked)
