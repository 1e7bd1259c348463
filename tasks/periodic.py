"""Tasks Celery beat runs on a schedule: the gauges, the harvest of MusicBrainz's own labels, the sweep for what
no scan covered, and the built-in enqueue loop for sites without cron."""

from __future__ import annotations

import datetime as dt

from sb_worker import runtime, service
from sb_worker.celery import ENQUEUE_CHANGES, ENQUEUE_MISSING, HARVEST_LABELS, PUBLISH_GAUGES, app
from sb_worker.errors import BadInput, Unavailable


@app.task(name=PUBLISH_GAUGES, throws=(Unavailable,))
def publish_gauges() -> dict:
    """Queue depths, open reports, live precision and model versions to statsd (the next run retries)."""
    return service.publish_gauges(runtime.get())


@app.task(name=ENQUEUE_CHANGES, throws=(Unavailable,))
def enqueue_changes() -> dict:
    """What `sb enqueue` does for cron: queue new and changed entities since the marks."""
    from sb_worker.broker import Publisher
    from sb_worker.enqueue import enqueue_changes as enqueue

    rt = runtime.get()
    with Publisher(rt.settings.broker_url, rt.settings.chunk_size) as publisher:
        return enqueue(rt.sources, rt.store, publisher, dt.timedelta(seconds=rt.settings.enqueue_overlap_s))


@app.task(name=HARVEST_LABELS, throws=(Unavailable, BadInput))
def harvest_labels() -> dict:
    """What `sb harvest` does for cron: MusicBrainz's spam flags and editors in good standing since the mark, as
    labels for the trainer (the next run retries what this one could not reach)."""
    return service.harvest(runtime.get())


@app.task(name=ENQUEUE_MISSING, throws=(Unavailable,))
def enqueue_missing() -> dict:
    """What `sb enqueue --missing` does, while no scan waits in the queue: what a lost message never scanned."""
    from sb_worker.enqueue import sweep_missing

    return sweep_missing(runtime.get())
