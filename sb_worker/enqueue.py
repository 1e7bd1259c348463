"""Producing scan jobs: what `sb enqueue` (MusicBrainz's cron) and the demo put on the ``scan`` queue."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sb_worker.broker import Publisher, chunks, queue_depth
from sb_worker.celery import PRIORITY_BACKFILL, PRIORITY_CRON
from sb_worker.runtime import Runtime
from sb_worker.storage.sources import Source
from sb_worker.storage.store import Store

log = logging.getLogger(__name__)


def enqueue_changes(sources: Mapping[str, Source], store: Store, publisher: Publisher,
                    overlap: dt.timedelta) -> dict[str, int]:
    """Queue each source's new and changed entities since its stored mark; a mark moves only once all is queued.

    Entities touched within ``overlap`` before the time mark are queued again, because rows committed late can
    carry earlier timestamps; scans are idempotent, so a repeat costs only time.
    """
    queued = {}
    for kind, source in sources.items():
        ids, mark = source.changed(store.marks.get(kind), overlap)
        queued[kind] = publisher.publish(kind, ids, PRIORITY_CRON)
        store.marks.set(kind, mark)
    return queued


def enqueue_missing(sources: Mapping[str, Source], store: Store, publisher: Publisher) -> dict[str, int]:
    """Queue again every entity there is that has neither a score nor a scan error, or (an editor) changed after
    both: what a broker that lost messages (a Redis crash, a lost volume) or a worker that dropped a chunk never
    scanned. Entities beyond cron's marks are included: a chunk asked for by name may lie there."""
    queued = {}
    for kind, source in sources.items():
        with source.changes(source.latest().last_id) as rows, store.reports.scanned(kind) as scans:
            queued[kind] = publisher.publish(kind, unscanned(rows, scans), PRIORITY_CRON)
    return queued


def sweep_missing(rt: Runtime) -> dict[str, Any]:
    """The daily sweep behind "a killed worker loses no scan". Redis hands a message out before the worker records
    it as taken (kombu's transport), so a worker killed in between, or a Redis crash, loses that chunk without a
    trace. The sweep queues again, as `sb enqueue --missing` does, every entity with neither a score nor a scan
    error, or changed since. While scans wait in the queue it does nothing: those entities have no score only
    because their turn has not come (a backfill's two million), and the next sweep looks again."""
    waiting = queue_depth(rt.settings.broker_url, "scan")
    if waiting:
        return {"skipped": f"{waiting} scan chunks are waiting"}
    with Publisher(rt.settings.broker_url, rt.settings.chunk_size) as publisher:
        queued = enqueue_missing(rt.sources, rt.store, publisher)
    for kind, count in queued.items():
        if count:
            rt.metrics.incr(f"scan.{kind}.requeued", count)
            log.warning("queued %d %ss again that no scan covered (lost messages)", count, kind)
    return {"queued": queued}


def unscanned(rows: Iterable[tuple[int, Any]], scans: Iterable[tuple[int, Any]]) -> Iterator[int]:
    """The IDs of ``rows`` (ID, changed) with no scan in ``scans`` (ID, scanned), or only one older than the change.
    Both in ID order: one pass over each, so two million accounts take seconds."""
    scans = iter(scans)
    scan = next(scans, None)
    for entity, changed in rows:
        while scan is not None and scan[0] < entity:
            scan = next(scans, None)
        if scan is None or scan[0] != entity or (changed is not None and scan[1] < changed):
            yield entity


@dataclass(frozen=True)
class Backfilled:
    """What one run of a backfill did."""

    kind: str
    queued: int        # IDs queued by this run
    done: int          # IDs queued by the whole backfill so far
    total: int         # IDs the backfill covers
    finished: bool     # False: stopped early; the next run resumes after the last chunk queued
    resumed: bool      # this run continued an interrupted backfill


def backfill(source: Source, store: Store, publisher: Publisher, *, rate: float | None = None,
             restart: bool = False, max_depth: int | None = None, stopping: Callable[[], bool] = lambda: False,
             progress: Callable[[int, int], None] | None = None) -> Backfilled:
    """Queue every entity of ``source`` at the lowest priority, at most ``rate`` per second, pausing while the scan
    queue holds more than ``max_depth`` chunks; cron's marks start after it once it has finished.

    Resumable: each chunk queued is recorded, so a run stopped by ``stopping()`` (checked between chunks) or
    interrupted continues after its last chunk; ``restart`` starts over. A run killed between queueing a chunk
    and recording it queues that one chunk again (scans are idempotent).
    """
    kind = source.kind
    state = None if restart else store.marks.backfill(kind)
    resumed = state is not None
    if state is None:
        state = store.marks.start_backfill(kind, source.latest())  # read before the stream: what comes later is cron's
    total, done, queued = source.count(state["upto_id"]), state["queued"], 0
    started = time.monotonic()
    with source.all_ids(state["last_id"], state["upto_id"]) as ids:
        for chunk in chunks(ids, publisher.chunk_size):
            while not stopping() and max_depth is not None and queue_depth(publisher.broker_url) > max_depth:
                time.sleep(1.0)
            if stopping():
                return Backfilled(kind, queued, done, total, finished=False, resumed=resumed)
            if rate:
                time.sleep(max(0.0, queued / rate - (time.monotonic() - started)))
            publisher.publish(kind, chunk, PRIORITY_BACKFILL)
            store.marks.advance_backfill(kind, chunk[-1], len(chunk))
            queued += len(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    store.marks.finish_backfill(kind)
    return Backfilled(kind, queued, done, total, finished=True, resumed=resumed)


def progress_bar(kind: str, stream=sys.stderr, clock=time.monotonic) -> Callable[[int, int], None]:
    """A progress line for a terminal, with the rate and the time left (every 10% when not a terminal)."""
    last, started = [-1], clock()

    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        line = f"queued {done:,} / {total:,} {kind}s ({percent}%"
        if done:
            rate = done / max(clock() - started, 1e-9)
            line += f", {rate:,.0f}/s" + (f", about {duration((total - done) / rate)} left" if done < total else "")
        line += ")"
        if stream.isatty():
            stream.write(f"\r{line}\033[K" + ("\n" if done >= total else ""))
        elif percent // 10 != last[0] // 10:
            stream.write(line + "\n")
        last[0] = percent
        stream.flush()

    return show


def duration(seconds: float) -> str:
    """A time left as a person says it: "40 s", "12 min", "3 h 5 min"."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
