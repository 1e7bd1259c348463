"""The Celery app (``celery -A sb_worker worker -Q scan``), configured from the one settings object, and the
worker process's life: checked at start, the pipeline loaded once per process. Publishing is in :mod:`sb_worker.broker`."""

from __future__ import annotations

import kombu.transport
from celery import Celery, signals

from sb_worker import runtime
from sb_worker.errors import Unavailable

# Redis URLs reach Redis through kombu's transport with one race mended (see sb_worker.transport).
for _scheme in ("redis", "rediss"):
    kombu.transport.TRANSPORT_ALIASES[_scheme] = "sb_worker.transport:Transport"

app = Celery("spambrainz", include=["tasks.scan", "tasks.score", "tasks.reports", "tasks.feedback", "tasks.periodic"])
app.config_from_object("celeryconfig")

#: Task names, for producers that must not import the tasks package.
SCAN_CHUNK = "spambrainz.scan_chunk"
SCORE_RECORDS = "spambrainz.score_records"
DELIVER_REPORT = "spambrainz.deliver_report"
APPLY_FEEDBACK = "spambrainz.apply_feedback"
PUBLISH_GAUGES = "spambrainz.publish_gauges"
ENQUEUE_CHANGES = "spambrainz.enqueue_changes"
HARVEST_LABELS = "spambrainz.harvest_labels"
ENQUEUE_MISSING = "spambrainz.enqueue_missing"

#: Queue priorities (0 is served first): IDs asked for by name, then cron's new entities, then backfills.
PRIORITY_NAMED, PRIORITY_CRON, PRIORITY_BACKFILL = 0, 3, 6


@app.on_after_configure.connect
def _apply_settings(sender: Celery, **_: object) -> None:
    """Take the broker URL and time limits from SpamBrainz's settings, read when Celery first needs them."""
    settings = runtime.settings()
    sender.conf.broker_url = settings.broker_url
    # A Redis that is alive but does not answer (stopped, a full network buffer) must not hold anyone: every call
    # waits SB_BROKER_TIMEOUT_S at most, then fails as a connection error (the API answers 503; a task retries).
    sender.conf.broker_transport_options = {**sender.conf.broker_transport_options,
                                            "visibility_timeout": settings.visibility_timeout_s,
                                            "socket_timeout": settings.broker_timeout_s,
                                            "socket_connect_timeout": settings.broker_timeout_s,
                                            "socket_keepalive": True}
    sender.conf.broker_connection_timeout = settings.broker_timeout_s
    sender.conf.task_soft_time_limit = settings.task_soft_time_limit_s
    sender.conf.task_time_limit = settings.task_soft_time_limit_s + 60
    sender.conf.beat_schedule = beat_schedule(settings)


def beat_schedule(settings) -> dict:
    """What `celery -A sb_worker beat` runs: the gauges always, the enqueue loop when SB_ENQUEUE_EVERY_S is set, the
    harvest of MusicBrainz's own labels when SB_HARVEST_EVERY_S is and the sweep for what no scan covered when
    SB_MISSING_EVERY_S is (by default hourly and daily). A run that waited longer than its period is dropped: the next
    one does the same work."""
    schedule = {"gauges": {"task": PUBLISH_GAUGES, "schedule": settings.gauges_every_s,
                           "options": {"expires": settings.gauges_every_s}}}
    for name, task, every in (("enqueue", ENQUEUE_CHANGES, settings.enqueue_every_s),
                              ("harvest", HARVEST_LABELS, settings.harvest_every_s),
                              ("missing", ENQUEUE_MISSING, settings.missing_every_s)):
        if every:
            schedule[name] = {"task": task, "schedule": every, "options": {"expires": every}}
    return schedule


@signals.worker_init.connect
def _check_configuration(**_: object) -> None:
    """Fail at start, with a clear message, when the detectors or sinks are misconfigured."""
    runtime.validate(runtime.settings())


@signals.worker_process_init.connect
def _load_once_per_process(**_: object) -> None:
    """Build the pipeline (its pattern sets, and the active model if there is one) once per worker process."""
    rt = runtime.get()
    try:
        rt.current_pipeline().score("editor", [])
    except Unavailable:
        rt.pipeline.score("editor", [])  # the database is not there yet: the first chunk will ask again


@signals.worker_process_shutdown.connect
def _close(**_: object) -> None:
    runtime.close()
