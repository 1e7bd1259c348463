"""The Celery app's publishing side: scan chunks, on-demand scoring, the trainer's wake-up and queue depths, each use
of Redis bounded by SB_BROKER_TIMEOUT_S. Producers (`sb enqueue`, the API, the demo) publish through here, never through the tasks."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType

from kombu.exceptions import OperationalError as BrokerError

from sb_worker.celery import APPLY_FEEDBACK, PRIORITY_NAMED, SCAN_CHUNK, SCORE_RECORDS, app
from sb_worker.errors import Silence, Unavailable, timed_out

log = logging.getLogger(__name__)

_silent_broker = Silence("the broker")


@contextmanager
def broker_call(connection) -> Iterator[None]:
    """Around one use of the broker on ``connection``: Unavailable when Redis is gone or does not answer within
    SB_BROKER_TIMEOUT_S, and then at once for as long again (see :class:`Silence`)."""
    _silent_broker.check()
    try:
        yield
    except (BrokerError, OSError, *connection.connection_errors, *connection.channel_errors) as exc:
        if timed_out(exc):
            _silent_broker.begin(app.conf.broker_connection_timeout)
        raise Unavailable(f"the broker is unreachable (SB_BROKER_URL): {exc}", "SB_BROKER_URL") from None


def chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    """``ids`` cut into lists of at most ``size``."""
    chunk: list[int] = []
    for i in ids:
        chunk.append(i)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Publisher:
    """Sends ``scan_chunk`` messages over one broker connection."""

    def __init__(self, broker_url: str, chunk_size: int, retry: bool = True):
        self.broker_url = broker_url
        self.chunk_size = chunk_size
        self.retry = retry  # False: a broker that does not answer fails the first send (the API's choice)
        self.connection = None

    def __enter__(self) -> Publisher:
        self.connection = app.connection_for_write(self.broker_url)
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.connection.release()

    def publish(self, kind: str, ids: Iterable, priority: int = PRIORITY_NAMED) -> int:
        """Queue ``ids`` in chunks; returns how many IDs were queued."""
        queued = 0
        try:
            with broker_call(self.connection):
                for chunk in chunks(ids, self.chunk_size):
                    app.send_task(SCAN_CHUNK, args=(kind, chunk), kwargs={"queued_at": time.time()},
                                  connection=self.connection, priority=priority, retry=self.retry)
                    queued += len(chunk)
        except Unavailable as exc:
            raise Unavailable(f"{exc} (after queueing {queued} {kind}s)") from None
        return queued


def publish_scan(settings, editors: list[int], edits: list[int]) -> None:
    """Queue a scan asked for by name (the highest priority); a broker that does not answer is Unavailable within
    SB_BROKER_TIMEOUT_S, without retries: the API's caller retries, not a thread of the API."""
    with Publisher(settings.broker_url, settings.chunk_size, retry=False) as publisher:
        publisher.publish("editor", editors)
        publisher.publish("edit", edits)


def queue_depth(broker_url: str, queue: str = "scan") -> int:
    """How many messages wait in a queue, over all its priority levels."""
    with app.connection_for_read(broker_url) as connection, broker_call(connection):
        client = connection.default_channel.client
        return sum(client.llen(queue if p == 0 else f"{queue}:{p}") for p in range(10))


def queue_feedback(settings) -> None:
    """Wake the trainer; the verdicts themselves are already in the database, so a lost message loses nothing."""
    try:
        with app.connection_for_write(settings.broker_url) as connection, broker_call(connection):
            app.send_task(APPLY_FEEDBACK, connection=connection, retry=False)
    except Unavailable:
        log.warning("could not wake the trainer; it will find the verdicts in the database on its next run")


#: How long an answer waits in Redis for the API that asked (it asked for at most ``wait_s``, so it is gone by then).
ANSWER_TTL_S = 120


def ask_score(settings, kind: str, records: list, wait_s: float) -> dict | None:
    """Score ``records`` on a scoring worker, with the pipeline and model the workers use, and wait up to
    ``wait_s`` for the answer (None if none came). Nothing is stored. The answer comes back on a Redis list of its
    own, read with BLPOP, rather than through a Celery result backend, whose pub/sub reader is not safe across the
    API's threads; the request expires with the wait, so a worker that frees up later does not score it."""
    key = f"spambrainz:score:{uuid.uuid4().hex}"
    with app.connection_for_write(settings.broker_url) as connection, broker_call(connection):
        app.send_task(SCORE_RECORDS, args=(kind, records, key), connection=connection, priority=PRIORITY_NAMED,
                      retry=False, expires=wait_s)
        client = connection.default_channel.client
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            answer = client.blpop([key], timeout=1)  # under the socket's timeout (SB_BROKER_TIMEOUT_S > 1 s)
            if answer is not None:
                return json.loads(answer[1])
    return None


def answer_score(settings, key: str, answer: dict) -> None:
    """Give the API that asked (``ask_score``) its answer."""
    if not key.startswith("spambrainz:score:"):
        raise ValueError(f"not an answer key: {key[:60]!r}")
    with app.connection_for_write(settings.broker_url) as connection, broker_call(connection):
        client = connection.default_channel.client
        client.pipeline().rpush(key, json.dumps(answer)).expire(key, ANSWER_TTL_S).execute()
