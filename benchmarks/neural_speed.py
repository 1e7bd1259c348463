"""The whole pipeline with the neural model: records per second on one core, and a worker's resident memory.

Run: .venv/bin/python -m benchmarks.neural_speed [MODEL_DIR]   (default: the active model in SB_MODEL_DIR)

Records: the bundled corpus (real texts and sample accounts), scored in chunks of 512 as a worker scores them,
start-up (imports, model loading, pattern compilation) excluded. Memory: the peak resident size of this process,
which holds what a scan worker holds (the Celery app, the runtime, the detectors and the model).
"""

from __future__ import annotations

import os
import resource
import sys
import time

for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.setdefault(var, "1")  # one core, as one worker process has

import importlib  # noqa: E402

importlib.import_module("sb_worker.celery")  # what a scan worker imports, so that the memory figure includes it
from sb_worker.corpus import labelled  # noqa: E402
from sb_worker.models import offline_model  # noqa: E402
from sb_worker.pipeline import build_pipeline  # noqa: E402
from sb_worker.settings import Settings  # noqa: E402

CHUNK = 512


def main() -> None:
    settings = Settings.from_env()
    model = offline_model(settings, sys.argv[1] if len(sys.argv) > 1 else None)
    pipeline = build_pipeline(model=model, cache_dir=settings.cache_dir)
    records = labelled("train") + labelled("test")
    pipeline.score("editor", records[:CHUNK])  # start-up
    start = time.perf_counter()
    for i in range(0, len(records), CHUNK):
        pipeline.score("editor", records[i:i + CHUNK])
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model {model.version}: {len(records):,} records in chunks of {CHUNK}: {elapsed:.2f} s, "
          f"{len(records) / elapsed:,.0f} records/s on one core (target 3,000)")
    print(f"peak resident memory of this worker-like process: {rss:,.0f} MB (target under 800 MB)")


if __name__ == "__main__":
    main()
