"""From verdicts to a promoted model: how long the trainer's step takes with the default batching, on CPU.

Run: .venv/bin/python -m benchmarks.feedback_latency

Embedded PostgreSQL and Redis, a sample MusicBrainz of 1,000 editors scanned with the default model active, then
20 verdicts (the default batch) and one `apply_feedback` step, timed from the last verdict's commit to the
promotion's commit. The trainer process has TensorFlow loaded already, as a running trainer worker has. Also prints
the process's peak resident memory: the trainer's, with the model loaded and one update done.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from benchmarks import cli
from sb_worker import runtime, service
from sb_worker.embedded import EmbeddedPostgres, EmbeddedRedis
from sb_worker.model.registry import pack, train_default
from sb_worker.samples.musicbrainz import build_sample
from sb_worker.settings import Settings


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg, \
            EmbeddedRedis(Path(tmp) / "redis.db") as redis:
        mb = pg.create_database("mb")
        build_sample(mb, editors=1000, seed=4)
        settings = Settings.from_env().replace(mb_dsn=mb, dsn=pg.create_database("sb"), broker_url=redis.url,
                                               model_check_s=0.0)
        runtime.configure(settings)
        rt = runtime.get()
        rt.store.migrate()
        model = train_default(settings)
        artifact = model.save(Path(tmp) / model.version)
        rt.store.models.store(model.version, pack(artifact), {})
        rt.store.models.promote(model.version)
        service.scan_chunk(rt, "editor", [r["id"] for r in rt.source("editor").mb.load_editors(range(1, 1100))])
        reports = [r["id"] for r in rt.store.reports.open()][: settings.feedback_batch]
        for report_id in reports:
            rt.store.verdicts.add(report_id, "spam", "benchmark", "")
        start = time.perf_counter()
        result = service.apply_feedback(rt)
        elapsed = time.perf_counter() - start
        print(f"{result['applied']} verdicts (batch {settings.feedback_batch}) -> {result['candidate']} "
              f"{'promoted' if result['promoted'] else 'kept as a candidate'} in {elapsed:.1f} s (target 60 s)")
        print(f"gate: {result['gate']}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"trainer process peak resident memory (model loaded, one update done): {peak:,.0f} MB")
        runtime.close()


if __name__ == "__main__":
    cli.arguments(__doc__)
    main()
