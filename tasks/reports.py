"""The delivery task: one report to every configured sink, each exactly once."""

from __future__ import annotations

from sb_worker import runtime, service
from sb_worker.celery import DELIVER_REPORT, app
from sb_worker.errors import BadInput, Unavailable


@app.task(name=DELIVER_REPORT, autoretry_for=(Unavailable,), retry_backoff=True,
          retry_backoff_max=600, retry_jitter=True, max_retries=12, throws=(BadInput,))
def deliver_report(report_id: int) -> list[str]:
    """Deliver a report to the sinks that do not have it yet; retried with backoff while a sink is down."""
    return service.deliver(runtime.get(), report_id)
