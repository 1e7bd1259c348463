"""Throughput of the whole detector suite on one core, and the slowest single record, hostile inputs included.

Run: .venv/bin/python -m benchmarks.detector_speed

Records: the labelled corpus (real YouTube and SMS texts as bios, and sample MusicBrainz accounts whose spam bios
run up to 4,000 characters), scored in chunks of 512 as a worker scores them; start-up (pattern compilation)
is excluded. Then every record alone, and a set of inputs built to be slow: a 1 MB bio, regex traps, long runs
of separators, invisible characters, spaced-out letters.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as one worker process has

from benchmarks import cli  # noqa: E402
from sb_worker.model.corpus import labelled  # noqa: E402
from sb_worker.model.fit import reputation_of  # noqa: E402
from sb_worker.scoring.pipeline import build_pipeline  # noqa: E402
from sb_worker.settings import Settings  # noqa: E402

CHUNK = 512
MB = 1_000_000


def hostile() -> dict[str, dict]:
    """Records built to make scoring slow."""
    bios = {
        "1 MB of words": ("buy cheap essays online and call now " * (MB // 37)),
        "1 MB of one letter": "a" * MB,
        "1 MB spaced letters": "e s c o r t " * (MB // 12),
        "1 MB digits and spaces": "9 8 7 6 5 4 3 2 1 0 " * (MB // 20),
        "1 MB of www.": "www." * (MB // 4),
        "1 MB of dots": "a." * (MB // 2),
        "1 MB zero-width": "e\u200bs\u200bc" * (MB // 5),
        "1 MB Cyrillic mixed": "еscоrt " * (MB // 7),
        "nested-quantifier trap": "south" + "-_" * 50_000 + "beach" + "!" * 1000,
        "lookbehind trap": "x" * 200_000 + "juriyam",
        "many phone-like runs": "+1 (555) 010-0199 " * 20_000,
        "many emails": "a@b.co " * 50_000,
        "lone surrogates": "\ud800\udfff" * 10_000 + " viagra",
        "bidi and controls": "\u202e\u0000\u0007spam\u202c" * 20_000,
    }
    return {name: {"id": i + 1, "bio": bio, "website": "https://" + "a" * 5000 + ".com/" + "b" * 5000,
                   "name": "x" * 10_000, "email": "q" * 5000 + "@mailinator.com"}
            for i, (name, bio) in enumerate(bios.items())}


def main() -> None:
    records = labelled("train") + labelled("test")
    pipeline = build_pipeline(reputation=reputation_of(labelled("train")), cache_dir=Settings.from_env().cache_dir)
    pipeline.score("editor", records[:CHUNK])  # start-up: compile or load the pattern sets
    long_bios = sum(len(r.get("bio") or "") >= 2500 for r in records)
    start = time.perf_counter()
    for i in range(0, len(records), CHUNK):
        pipeline.score("editor", records[i:i + CHUNK])
    elapsed = time.perf_counter() - start
    print(f"{len(records):,} records ({long_bios:,} with bios of 2,500-4,000 characters) in chunks of {CHUNK}: "
          f"{elapsed:.2f} s, {len(records) / elapsed:,.0f} records/s on one core")

    times = []
    for record in records:
        t = time.perf_counter()
        pipeline.score("editor", [record])
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"one record at a time: median {statistics.median(times) * 1e3:.2f} ms, "
          f"p99 {times[int(len(times) * 0.99)] * 1e3:.2f} ms, max {times[-1] * 1e3:.2f} ms")

    worst = 0.0
    for name, record in hostile().items():
        t = time.perf_counter()
        [result] = pipeline.score("editor", [record])
        took = time.perf_counter() - t
        worst = max(worst, took)
        outcome = f"score {result.score}" if hasattr(result, "score") else f"error: {result.error}"
        print(f"  hostile {name:24s} {took * 1e3:7.2f} ms  ({outcome})")
    print(f"slowest hostile record: {worst * 1e3:.2f} ms")


if __name__ == "__main__":
    cli.arguments(__doc__)
    main()
