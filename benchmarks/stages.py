"""Where a chunk's time goes: load, features, detectors, model, store, for chunk sizes 50 to 2,000.

Run: .venv/bin/python -m benchmarks.stages [EDITORS]   (default 20,000)

In one process on embedded PostgreSQL, with the default trained model active (trained on first use into
SB_MODEL_DIR): every editor is scored chunk by chunk, timing each stage of `service.scan_chunk` separately.
Prints milliseconds per chunk and microseconds per editor for each stage.
"""

from __future__ import annotations

import time
from collections import defaultdict

from benchmarks import cli
from sb_worker import runtime
from sb_worker.broker import chunks
from sb_worker.scoring.features import extract

from benchmarks.service import embedded_service

SIZES = (50, 200, 500, 1000, 2000)
STAGES = ("load", "features", "detectors", "model", "store")


def stage_times(rt: runtime.Runtime, ids: list[int], size: int) -> dict[str, float]:
    """Seconds spent in each stage over all of ``ids`` in chunks of ``size``."""
    pipeline = rt.current_pipeline()
    spent: dict[str, float] = defaultdict(float)
    for chunk in chunks(ids, size):
        t0 = time.perf_counter()
        records, _ = rt.source("editor").load(chunk)
        t1 = time.perf_counter()
        features = [extract("editor", r) for r in records]
        t2 = time.perf_counter()
        per_detector = [d.score(features) for d in pipeline.detectors]
        verdicts = [[v[i] for v in per_detector] for i in range(len(features))]
        t3 = time.perf_counter()
        log_odds = pipeline.model.log_odds(features, verdicts)
        scores = [pipeline.combine(f, v, log_odds=float(z)) for f, v, z in zip(features, verdicts, log_odds)]
        t4 = time.perf_counter()
        rt.store.reports.save_scan(scores, [])
        t5 = time.perf_counter()
        for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            spent[stage] += seconds
    return spent


def main() -> None:
    editors = cli.arguments(__doc__, editors=(int, 20_000, "editors in the sample")).editors
    with embedded_service(editors, model=True) as service:
        rt = service.rt
        ids = rt.source("editor").mb.db.value("SELECT array_agg(id ORDER BY id) FROM musicbrainz.editor")
        stage_times(rt, ids[:1000], 500)  # warm up: compiled patterns, the model's first call
        print(f"{len(ids):,} editors, model {service.model}; per chunk (ms) and per editor (µs):")
        print(f"{'chunk':>6} " + " ".join(f"{s:>17}" for s in STAGES) + f" {'total µs/editor':>16} {'editors/s':>10}")
        for size in SIZES:
            spent = stage_times(rt, ids, size)
            n_chunks = -(-len(ids) // size)
            total = sum(spent.values())
            cells = " ".join(f"{spent[s] / n_chunks * 1000:8.1f} {spent[s] / len(ids) * 1e6:6.0f}µs" for s in STAGES)
            print(f"{size:6d} {cells} {total / len(ids) * 1e6:16.0f} {len(ids) / total:10,.0f}")

if __name__ == "__main__":
    main()
