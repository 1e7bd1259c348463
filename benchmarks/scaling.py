"""The scaling curve: end-to-end editors per second for chunk sizes 50 to 2,000 and 1 to 4 worker processes.

Run: .venv/bin/python -m benchmarks.scaling [EDITORS]   (default 20,000)

The same measurement as benchmarks.end_to_end (a backfill through Celery on Redis with the default trained model
active, workers warmed up first), repeated over chunk sizes and worker counts on one sample. `benchmarks.stages`
shows where a chunk's time goes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.end_to_end import pipeline_rate
from sb_worker import runtime
from sb_worker.embedded import EmbeddedPostgres, EmbeddedRedis
from sb_worker.models import pack, train_default
from sb_worker.sample import build_sample
from sb_worker.settings import Settings

SIZES = (50, 200, 500, 1000, 2000)
WORKERS = (1, 2, 3, 4)


def main() -> None:
    editors = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg, \
            EmbeddedRedis(Path(tmp) / "redis.db") as redis:
        mb = pg.create_database("mb")
        build_sample(mb, editors=editors, seed=1)
        settings = Settings(mb_dsn=mb, dsn=pg.create_database("sb"), broker_url=redis.url, data_dir=tmp)
        runtime.configure(settings)
        rt = runtime.get()
        rt.store.migrate()
        rt.pipeline.score("editor", [])
        model = train_default(Settings.from_env())
        rt.store.add_model(model.version, pack(model.save(Path(tmp) / model.version)), {})
        rt.store.activate_model(model.version)
        print(f"{editors:,} editors, model {model.version}: editors/s end to end")
        print("chunk  " + "".join(f"{w} worker{'s' if w > 1 else ' '}  " for w in WORKERS))
        for size in SIZES:
            cells = []
            for workers in WORKERS:
                _, rate = pipeline_rate(settings.replace(chunk_size=size), workers, Path(tmp) / f"w{size}-{workers}.log")
                cells.append(f"{rate:9,.0f}")
            print(f"{size:5d}  " + " ".join(cells), flush=True)
        runtime.close()


if __name__ == "__main__":
    main()
