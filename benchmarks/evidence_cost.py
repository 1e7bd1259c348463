"""What marking the evidence costs: the whole detector suite on the bundled corpus with and without the spans of
reasons (``sb_worker.scoring.evidence``), alternated in one process so the machine's noise falls on both.

Run: .venv/bin/python -m benchmarks.evidence_cost

Spans are found only for scores above NO_EVIDENCE_CEILING (those that can be reported), so the cost follows the
share of such records: the corpus is spam-heavy, a live stream of new accounts much less so.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as one worker process has

from benchmarks import cli  # noqa: E402
from sb_worker.model.corpus import labelled  # noqa: E402
from sb_worker.scoring import evidence  # noqa: E402
from sb_worker.scoring.pipeline import build_pipeline  # noqa: E402
from sb_worker.settings import NO_EVIDENCE_CEILING, Settings  # noqa: E402

CHUNK, ROUNDS = 512, 5


def main() -> None:
    records = labelled("train") + labelled("test")
    pipeline = build_pipeline(cache_dir=Settings.from_env().cache_dir)
    scores = [s for i in range(0, len(records), CHUNK) for s in pipeline.score("editor", records[i:i + CHUNK])]
    marked = sum(s.score > NO_EVIDENCE_CEILING for s in scores)

    def elapsed() -> float:
        start = time.perf_counter()
        for i in range(0, len(records), CHUNK):
            pipeline.score("editor", records[i:i + CHUNK])
        return time.perf_counter() - start

    spans, times = evidence.Spans.of, {"with spans": [], "without spans": []}
    for _ in range(ROUNDS):
        evidence.Spans.of = spans
        times["with spans"].append(elapsed())
        evidence.Spans.of = lambda self, matches: ()
        times["without spans"].append(elapsed())
    evidence.Spans.of = spans
    print(f"{len(records):,} records, {marked:,} of them above {NO_EVIDENCE_CEILING} (their reasons get spans); "
          f"chunks of {CHUNK}, best and median of {ROUNDS} alternating rounds:")
    for name, runs in times.items():
        runs.sort()
        print(f"  {name:14s} {len(records) / runs[0]:7,.0f} records/s best, {len(records) / runs[ROUNDS // 2]:7,.0f} median")


if __name__ == "__main__":
    cli.arguments(__doc__)
    main()
