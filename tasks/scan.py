"""The scan task: one chunk of MusicBrainz entities in, scores and reports out."""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded

from sb_worker import runtime, service
from sb_worker.celery import SCAN_CHUNK, app
from sb_worker.errors import BadInput, Unavailable
from tasks.reports import deliver_report


@app.task(name=SCAN_CHUNK, bind=True, autoretry_for=(Unavailable,), retry_backoff=True,
          retry_backoff_max=300, retry_jitter=True, max_retries=None, throws=(BadInput,))
def scan_chunk(self, kind: str, ids: list, queued_at: float | None = None) -> dict:
    """Score one chunk of MB entities and store the results; safe to run twice. A chunk that runs past its soft
    time limit is queued again as two halves, at its own priority; one entity alone past it is a scan error."""
    rt = runtime.get()
    try:
        result = service.scan_chunk(rt, kind, ids, queued_at)
    except SoftTimeLimitExceeded:
        halves = service.out_of_time(rt, kind, ids)
        for half in halves:
            self.apply_async(args=(kind, half), kwargs={"queued_at": queued_at},
                             priority=(self.request.delivery_info or {}).get("priority"))
        return {"kind": kind, "scanned": 0, "split": [len(h) for h in halves]}
    if rt.sinks:
        for report_id in result.to_deliver:
            deliver_report.delay(report_id)
    return result.summary()
