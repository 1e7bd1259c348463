"""On-demand scoring: records in, scores and reasons back to the API that asked, nothing stored."""

from __future__ import annotations

from sb_worker import broker, runtime, service
from sb_worker.celery import SCORE_RECORDS, app
from sb_worker.errors import BadInput


@app.task(name=SCORE_RECORDS, throws=(BadInput,))
def score_records(kind: str, records: list, reply_to: str) -> None:
    """Score ``records`` as a chunk is scored and answer on ``reply_to``; a request that cannot be scored is
    answered with what is wrong, so the API never waits for an answer that will not come."""
    rt = runtime.get()
    try:
        answer = service.score_records(rt, kind, records)
    except BadInput as exc:
        answer = {"error": str(exc)}
    broker.answer_score(rt.settings, reply_to, answer)
