"""The scan task: one chunk of MusicBrainz entities in, scores and reports out."""

from __future__ import annotations

from sb_worker import runtime, service
from sb_worker.celery import SCAN_CHUNK, app
from sb_worker.errors import BadInput, Unavailable
from tasks.reports import deliver_report


@app.task(name=SCAN_CHUNK, autoretry_for=(Unavailable,), retry_backoff=True,
          retry_backoff_max=300, retry_jitter=True, max_retries=None, throws=(BadInput,))
def scan_chunk(kind: str, ids: list, queued_at: float | None = None) -> dict:
    """Score one chunk of MB entities and store the results; safe to run twice."""
    rt = runtime.get()
    result = service.scan_chunk(rt, kind, ids, queued_at)
    if rt.sinks:
        for report_id in result.to_deliver:
            deliver_report.delay(report_id)
    return result.summary()
