"""End-to-end throughput at MusicBrainz scale, beside the physical limit measured in the same run.

Run: .venv/bin/python -m benchmarks.end_to_end [EDITORS]   (default 200,000)

Builds an MB-shaped sample of EDITORS editors (the demo's generator) on embedded PostgreSQL and Redis. Then:
1. the physical limit: every editor row read in chunks of SB_CHUNK_SIZE with one SELECT per chunk, nothing else;
2. with the default trained model active (as in production; trained on first use into SB_MODEL_DIR), for 1 and
   2 worker processes, and with the heuristic weights alone for 2: a backfill of every editor (what
   `sb enqueue --all --kind editor` does) through Celery on Redis, scored and stored in PostgreSQL, timed from the
   first chunk queued to the last score stored.
Prints editors per second for each and the ratio to the raw read rate.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg2

from benchmarks import cli
from sb_worker import runtime
from sb_worker.broker import Publisher, chunks
from sb_worker.embedded import WorkerProcess
from sb_worker.enqueue import backfill
from sb_worker.settings import Settings
from sb_worker.storage.mb import _EDITORS

from benchmarks.service import embedded_service


def raw_read_rate(mb_dsn: str, chunk_size: int) -> tuple[int, float]:
    """Editors per second when each chunk is one SELECT of the editor rows and nothing more."""
    conn = psycopg2.connect(mb_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM musicbrainz.editor ORDER BY id")
            ids = [row[0] for row in cur.fetchall()]
            start = time.perf_counter()
            for chunk in chunks(ids, chunk_size):
                cur.execute(_EDITORS, (chunk,))
                cur.fetchall()
            return len(ids), len(ids) / (time.perf_counter() - start)
    finally:
        conn.close()


def pipeline_rate(settings: Settings, workers: int, log: Path) -> tuple[int, float]:
    """Editors per second through enqueue, Celery workers on Redis, scoring and the database writes."""
    rt = runtime.get()
    with rt.store.db.transaction() as cur:
        cur.execute("TRUNCATE score, report, report_delivery, verdict, scan_error, backfill, scan_mark CASCADE")
    with WorkerProcess(settings, log, queues=("scan",), concurrency=workers) as worker, \
            Publisher(settings.broker_url, settings.chunk_size) as publisher:
        first = rt.source("editor").mb.db.value("SELECT min(id) FROM musicbrainz.editor")
        for _ in range(workers * 2):  # each process loads the pattern sets and the model before the clock starts
            publisher.publish("editor", [first])
        while worker.log().count(" succeeded in ") < workers * 2:
            time.sleep(0.1)
        with rt.store.db.transaction() as cur:
            cur.execute("TRUNCATE score, report, report_delivery, verdict, backfill CASCADE")
        start = time.perf_counter()
        run = backfill(rt.sources["editor"], rt.store, publisher, restart=True)
        while rt.store.db.value("SELECT count(*) FROM score") < run.total:
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    return run.total, run.total / elapsed


def main() -> None:
    editors = cli.arguments(__doc__, editors=(int, 200_000, "editors in the sample")).editors
    with embedded_service(editors, model=True) as service:
        settings, rt = service.settings, service.rt
        print(f"sample: {service.sample.editors:,} editors, {service.sample.edits:,} edits, "
              f"built in {service.build_s:.0f} s")
        total, raw = raw_read_rate(settings.mb_dsn, settings.chunk_size)
        print(f"raw read     {total:,} editors, one SELECT per chunk of {settings.chunk_size}: {raw:,.0f} editors/s")
        for scorer, workers in ((service.model, 1), (service.model, 2), ("heuristic", 2)):
            if scorer == "heuristic":
                with rt.store.db.transaction() as cur:
                    cur.execute("UPDATE model_version SET status = 'retired'")
            total, rate = pipeline_rate(settings, workers, service.tmp / f"worker-{scorer}-{workers}.log")
            print(f"pipeline     {scorer}, {workers} worker process{'es' if workers > 1 else ''}: {rate:,.0f} "
                  f"editors/s ({rate / raw:.2f} of the raw read rate; 2,000,000 editors in "
                  f"{2_000_000 / rate / 60:.1f} min)")

if __name__ == "__main__":
    main()
