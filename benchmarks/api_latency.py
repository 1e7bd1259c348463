"""API read latency under load: 50 concurrent clients against gunicorn on the demo database.

Run: .venv/bin/python -m benchmarks.api_latency [WORKERS [THREADS]]   (default 2 workers x 16 threads)

Starts an embedded PostgreSQL and Redis, builds the demo's sample MusicBrainz (5,000 editors), scans it, then runs
the API under gunicorn (2 workers x 16 threads, as documented for production) and has 50 clients (5 processes of
10 threads), each on its own keep-alive connection, read scores, report pages, single reports and thresholds.
Prints p50/p95/p99. The clients share the machine's 2 cores with the server.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import cli
from sb_worker import runtime, service
from sb_worker.embedded import EmbeddedPostgres, EmbeddedRedis
from sb_worker.samples.musicbrainz import build_sample
from sb_worker.settings import PREFIX, Settings
from sb_worker.web.tokens import new_token

CLIENTS = 50
PROCESSES = 5
REQUESTS_PER_CLIENT = 400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_process(port: int, token: str, editors: list[int], reports: list[int], seed: int):
    """One load-generating process with CLIENTS // PROCESSES client threads: clients of one process would share
    one GIL and measure their own waiting as the server's latency."""
    latencies: list[float] = []
    errors: list[str] = []
    by_kind: dict[str, list[float]] = {}
    lock = threading.Lock()

    def client(client_seed: int) -> None:
        rng = random.Random(client_seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(REQUESTS_PER_CLIENT):
            path = rng.choice([f"/v1/editors/{rng.choice(editors)}", "/v1/reports?status=open&per_page=50",
                               f"/v1/reports/{rng.choice(reports)}", "/v1/thresholds"])
            start = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                by_kind.setdefault(path.split("?")[0].rstrip("0123456789"), []).append(took)
                if response.status >= 500:
                    errors.append(f"{path}: {response.status}")

    threads = [threading.Thread(target=client, args=(seed * 1000 + i,)) for i in range(CLIENTS // PROCESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, by_kind


def main() -> None:
    args = cli.arguments(__doc__, workers=(int, 2, "gunicorn worker processes"), threads=(int, 16, "threads each"))
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg, \
            EmbeddedRedis(Path(tmp) / "redis.db") as redis:
        mb = pg.create_database("mb")
        build_sample(mb, editors=5000, seed=1)
        settings = Settings(mb_dsn=mb, dsn=pg.create_database("sb"), broker_url=redis.url)
        runtime.configure(settings)
        rt = runtime.get()
        rt.store.migrate()
        editors = [r["id"] for r in rt.source("editor").mb.load_editors(range(1, 5100))]
        for i in range(0, len(editors), 500):
            service.scan_chunk(rt, "editor", editors[i:i + 500])
        token, token_hash = new_token()
        rt.store.access.add_token("benchmark", token_hash, ["feedback"])
        reports = [r["id"] for r in rt.store.reports.open()]
        runtime.close()

        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)} | settings.to_env()
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads",
                                   str(args.threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                                   "sb_worker.web.app:wsgi()"], env=env)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            start = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
                parts = pool.starmap(client_process, [(port, token, editors, reports, p) for p in range(PROCESSES)])
            elapsed = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(30)
        latencies = [t for part in parts for t in part[0]]
        errors = [e for part in parts for e in part[1]]
        by_kind: dict[str, list[float]] = {}
        for part in parts:
            for kind, values in part[2].items():
                by_kind.setdefault(kind, []).extend(values)
        latencies.sort()
        q = statistics.quantiles(latencies, n=100)
        print(f"gunicorn {args.workers} workers x {args.threads} threads: {len(latencies):,} reads by {CLIENTS} concurrent clients in {elapsed:.1f} s "
              f"({len(latencies) / elapsed:,.0f}/s), {len(errors)} server errors")
        print(f"latency p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms "
              f"(target p95 under 50 ms)")
        for kind, values in sorted(by_kind.items()):
            kq = statistics.quantiles(values, n=100)
            print(f"  {kind:20s} {len(values):5,d} reads  p50 {kq[49] * 1000:6.1f} ms  p95 {kq[94] * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
