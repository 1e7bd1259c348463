"""Burst latency: 10,000 new editors queued at once, each timed from its queueing to its stored score.

Run: .venv/bin/python -m benchmarks.burst [EDITORS]   (default 10,000)

Builds a sample MusicBrainz of EDITORS editors, activates the default trained model, starts a Celery worker with
2 processes and lets each process score a first chunk (so the model is loaded, as in a running service). Then it
queues every editor at once, the way cron does, and waits for the last score. Latency per editor is PostgreSQL's
time of its stored score minus the time the burst was queued (one clock, the database's). Target: all within 10 s.
Also prints the memory of each scan worker process (model loaded) after the burst: resident, and its own (USS).
"""

from __future__ import annotations

import statistics
import time

from benchmarks import cli
from sb_worker.broker import Publisher
from sb_worker.celery import PRIORITY_CRON
from sb_worker.embedded import WorkerProcess

from benchmarks.service import embedded_service

WORKERS = 2


def main() -> None:
    editors = cli.arguments(__doc__, editors=(int, 10_000, "new editors queued at once")).editors
    with embedded_service(editors, seed=2, model=True) as service:
        settings, rt = service.settings, service.rt
        ids = rt.source("editor").mb.db.value("SELECT array_agg(id ORDER BY id) FROM musicbrainz.editor")
        with WorkerProcess(settings, service.tmp / "worker.log", queues=("scan",), concurrency=WORKERS) as worker, \
                Publisher(settings.broker_url, settings.chunk_size) as publisher:
            for warm in ids[:WORKERS * 2]:  # one tiny chunk per process and more: each loads the model
                publisher.publish("editor", [warm])
            while rt.store.db.value("SELECT count(*) FROM score") < WORKERS * 2:
                time.sleep(0.1)
            with rt.store.db.transaction() as cur:
                cur.execute("TRUNCATE score")
            queued_at = rt.store.db.value("SELECT clock_timestamp()")
            publisher.publish("editor", ids, PRIORITY_CRON)
            while rt.store.db.value("SELECT count(*) FROM score") < len(ids):
                time.sleep(0.05)
            memory = [(p.memory_full_info().rss / 2**20, p.memory_full_info().uss / 2**20) for p in worker.children()]
        latencies = sorted(rt.store.db.value(
            "SELECT array_agg(extract(epoch FROM scanned_at - %s)) FROM score", (queued_at,)))
        q = statistics.quantiles(latencies, n=100)
        print(f"{len(ids):,} editors queued at once, model {service.model}, {WORKERS} worker processes, chunks of "
              f"{settings.chunk_size}: all stored within {latencies[-1]:.2f} s (target 10 s)")
        print(f"queued-to-stored latency p50 {q[49]:.2f} s, p95 {q[94]:.2f} s, p99 {q[98]:.2f} s")
        print("memory of each scan worker process with the model loaded, after the burst: " + ", ".join(
            f"{rss:,.0f} MB resident ({uss:,.0f} MB its own, the rest shared with the worker's parent)"
            for rss, uss in memory))

if __name__ == "__main__":
    main()
