"""Producing scan jobs: what `sb enqueue` (MusicBrainz's cron) and the demo put on the ``scan`` queue."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType

from kombu.exceptions import OperationalError as BrokerError

from sb_worker.celery import PRIORITY_BACKFILL, PRIORITY_CRON, PRIORITY_NAMED, SCAN_CHUNK, app
from sb_worker.errors import Unavailable
from sb_worker.features import KINDS
from sb_worker.mb import MBReader
from sb_worker.store import Store


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

    def __init__(self, broker_url: str, chunk_size: int):
        self.broker_url = broker_url
        self.chunk_size = chunk_size
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
            for chunk in chunks(ids, self.chunk_size):
                app.send_task(SCAN_CHUNK, args=(kind, chunk), connection=self.connection, priority=priority)
                queued += len(chunk)
        except BrokerError as exc:
            raise Unavailable(f"the broker is unreachable after queueing {queued} {kind}s: {exc}") from None
        return queued


def enqueue_changes(mb: MBReader, store: Store, publisher: Publisher, overlap: dt.timedelta) -> dict[str, int]:
    """Queue new and changed editors and new edits since the stored marks; the marks move only once all is queued.

    Entities touched within ``overlap`` before the time mark are queued again, because rows committed late can
    carry earlier timestamps; scans are idempotent, so a repeat costs only time.
    """
    queued = {}
    for kind in KINDS:
        ids, mark = mb.changed(kind, store.mark(kind), overlap)
        queued[kind] = publisher.publish(kind, ids, PRIORITY_CRON)
        store.set_mark(kind, mark)
    return queued


def enqueue_all(mb: MBReader, store: Store, publisher: Publisher, kind: str,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Queue every entity of ``kind`` (a backfill) at low priority; cron's marks start after it."""
    total = mb.count(kind)
    mark = mb.latest(kind)  # read before the stream starts: whatever comes later is cron's
    queued = 0
    with mb.all_ids(kind) as ids:
        for chunk in chunks(ids, publisher.chunk_size):
            queued += publisher.publish(kind, chunk, PRIORITY_BACKFILL)
            if progress:
                progress(queued, total)
    store.set_mark(kind, mark)
    return queued


def progress_bar(kind: str, stream=sys.stderr) -> Callable[[int, int], None]:
    """A progress line for a terminal (every 10% when not a terminal)."""
    last = [-1]

    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if stream.isatty():
            stream.write(f"\rqueued {done:,} / {total:,} {kind}s ({percent}%)")
            if done >= total:
                stream.write("\n")
        elif percent // 10 != last[0] // 10:
            stream.write(f"queued {done:,} / {total:,} {kind}s ({percent}%)\n")
        last[0] = percent
        stream.flush()

    return show
