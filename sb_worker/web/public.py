"""The public page at ``/``: what SpamBrainz is, what it reads, how scores and thresholds work, how to appeal,
and live figures. Plain HTML for anyone, no JavaScript, nothing personal."""

from __future__ import annotations

from flask import Blueprint, render_template

from sb_worker import runtime
from sb_worker.scoring.pipeline import HEURISTIC_VERSION
from sb_worker.web.review import protect

blueprint = Blueprint("public", __name__, template_folder="templates")
blueprint.after_request(protect)
WEEK_DAYS = 7


@blueprint.get("/")
def home() -> str:
    """The page, with this week's reports, precision from all verdicts and the model in use."""
    store = runtime.get().store
    thresholds, automatic_action = store.config.threshold_settings()
    review = thresholds.review
    judged = [r for r in store.verdicts.judged_reports() if r["score"] >= review]
    precision = sum(r["verdict"] == "spam" for r in judged) / len(judged) if judged else None
    return render_template("public.html", reports_week=store.reports.since(WEEK_DAYS), judged=len(judged),
                           precision=precision, model=store.models.active() or HEURISTIC_VERSION,
                           thresholds=thresholds, automatic_action=automatic_action, settings=runtime.get().settings)
