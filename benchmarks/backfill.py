"""Backfill rate on the demo database: `sb enqueue --all` for editors, rescored by a real Celery worker.

Run: .venv/bin/python -m benchmarks.backfill [EDITORS]   (default 5,000, the demo's sample)

Builds the demo's sample MusicBrainz on embedded PostgreSQL and Redis, starts a Celery worker with 2 processes,
then backfills every editor twice: unthrottled, and with a rate limit of 1,000 editors/s. Prints how fast the
editors were queued and how fast they were all rescored (from the start of the backfill to the last stored score).
"""

from __future__ import annotations

import time

from benchmarks import cli
from sb_worker import runtime
from sb_worker.broker import Publisher
from sb_worker.embedded import WorkerProcess
from sb_worker.enqueue import backfill

from benchmarks.service import embedded_service

WORKERS = 2


def rescored_since(rt: runtime.Runtime, since) -> int:
    return rt.store.db.value("SELECT count(*) FROM score WHERE kind = 'editor' AND scanned_at >= %s", (since,))


def run(rt: runtime.Runtime, rate: float | None, label: str) -> None:
    since = rt.store.db.value("SELECT now()")
    start = time.perf_counter()
    with Publisher(rt.settings.broker_url, rt.settings.chunk_size) as publisher:
        done = backfill(rt.sources["editor"], rt.store, publisher, rate=rate, restart=True,
                        max_depth=rt.settings.max_queue_depth)
    queued_s = time.perf_counter() - start
    while rescored_since(rt, since) < done.total:
        time.sleep(0.02)
    total_s = time.perf_counter() - start
    print(f"{label:12s} queued {done.total:,} editors in {queued_s:.2f} s ({done.total / queued_s:,.0f}/s); "
          f"all rescored in {total_s:.2f} s ({done.total / total_s:,.0f} editors/s, {WORKERS} worker processes)")


def main() -> None:
    editors = cli.arguments(__doc__, editors=(int, 5000, "editors in the sample")).editors
    with embedded_service(editors) as service, \
            WorkerProcess(service.settings, service.tmp / "worker.log", concurrency=WORKERS):
        run(service.rt, None, "first scan")   # every editor scored once, as after a first cron run
        run(service.rt, None, "backfill")
        run(service.rt, 1000, "rate 1000/s")

if __name__ == "__main__":
    main()
