"""The trainer's task: learn from ninja verdicts (queue "feedback", one trainer worker, a GPU when there is one)."""

from __future__ import annotations

from sb_worker import runtime, service
from sb_worker.celery import APPLY_FEEDBACK, app
from sb_worker.errors import BadInput, Unavailable


@app.task(name=APPLY_FEEDBACK, autoretry_for=(Unavailable,), retry_backoff=True, retry_backoff_max=300,
          max_retries=None, throws=(BadInput,))
def apply_feedback() -> dict:
    """Apply the unapplied verdicts once enough have come or they have waited long enough; safe to run twice."""
    result = service.apply_feedback(runtime.get())
    if "retry_in" in result:
        apply_feedback.apply_async(countdown=max(1.0, result["retry_in"]))
    return result
