"""The public page at ``/``: what SpamBrainz is, what it reads, how scores and thresholds work, how to appeal,
and live figures. Plain HTML for anyone, no JavaScript, nothing personal."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, render_template

from sb_worker import runtime, service
from sb_worker.scoring.pipeline import HEURISTIC_VERSION
from sb_worker.web.api import description_text
from sb_worker.web.review import protect

blueprint = Blueprint("public", __name__, template_folder="templates")
blueprint.after_request(protect)
WEEK_DAYS = 7


@blueprint.get("/")
def home() -> str:
    """The page, with this week's reports, precision from all verdicts, recall estimated from the audit sample,
    what MusicBrainz's own flags found, and the model in use."""
    store = runtime.get().store
    thresholds, automatic_action = store.config.threshold_settings()
    review = thresholds.review
    everything = store.verdicts.judged_reports()
    judged = [r for r in everything if r["score"] >= review]
    precision = sum(r["verdict"] == "spam" for r in judged) / len(judged) if judged else None
    contact = runtime.get().settings.appeal_contact
    return render_template("public.html", reports_week=store.reports.since(WEEK_DAYS), judged=len(judged),
                           precision=precision, model=store.models.active() or HEURISTIC_VERSION,
                           thresholds=thresholds, automatic_action=automatic_action, settings=runtime.get().settings,
                           taken=dt.datetime.now(dt.timezone.utc), contact_href=contact_link(contact),
                           figures=service.audit_figures(runtime.get(), everything, review))


@blueprint.app_template_filter("hours")
def hours(value: float) -> str:
    """A time in hours as the page says it: "40 minutes", "5.2 hours", "3.1 days"."""
    if value < 1:
        return f"{round(value * 60)} minutes"
    return f"{value:.1f} hours" if value < 48 else f"{value / 24:.1f} days"


def contact_link(contact: str) -> str:
    """Where the appeal contact's link goes: a web address as it is, an email address as a mailto: link; anything
    else (a script: URL) goes nowhere."""
    if contact.startswith(("https://", "http://")):
        return contact
    if "@" in contact and ":" not in contact and " " not in contact:
        return "mailto:" + contact
    return "#appeal"


@blueprint.get("/v1/docs")
def api_docs() -> str:
    """The API's description (openapi.json) as a page to read: each route, what it needs, takes and answers."""
    spec = json.loads(description_text())
    return render_template("apidocs.html", spec=spec, operations=operations(spec))


def operations(spec: dict) -> list[dict]:
    """Each operation of an OpenAPI document, flattened for the page: method, path, summary, scope, parameters,
    body fields and answers."""
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            required = set(body.get("required", ()))
            found.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "token": bool(op.get("security", spec.get("security", [1]))),
                "parameters": [(p["name"], p["in"], p.get("description", ""), p.get("required", False))
                               for p in op.get("parameters", ())],
                "fields": [(name, _type(field), field.get("description", ""), name in required)
                           for name, field in body.get("properties", {}).items()],
                "responses": [(code, answer.get("description", "")) for code, answer in op.get("responses", {}).items()]})
    return found


def _type(schema: dict) -> str:
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"array of {schema.get('items', {}).get('type', 'values')}"
    return schema.get("type", "any")
