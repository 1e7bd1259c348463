"""The whole pipeline with the neural model: records per second on one core, and a worker's resident memory.

Run: .venv/bin/python -m benchmarks.neural_speed [MODEL_DIR]   (default: the active model in SB_MODEL_DIR)

Two sets, each scored in chunks of 512 as a worker scores them, start-up (imports, model loading, pattern
compilation) excluded, both in one run so that their ratio holds on a noisy machine:
  corpus       the bundled corpus as it is (real texts and sample accounts; most texts are short)
  real-length  6,000 editors whose bios have the lengths spam and honest bios have on MusicBrainz (DESIGN.md:
               most under 300 characters, a second peak at 2,500–4,000; the longest tenth is 2,500–4,000),
               made of distinct real texts from every source of the corpus, mean about 1 kB
Stages: where a real-length record's time goes, in microseconds: the pipeline's calls timed where it makes them.
Memory: the peak resident size of this process, which holds what a scan worker holds (the Celery app, the
runtime, the detectors and the model), how much of it the imports alone took, and whether TensorFlow was
imported (scoring runs the network in numpy: only training a model here, when there is none yet, imports it).
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from collections import defaultdict

for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.setdefault(var, "1")  # one core, as one worker process has

import importlib  # noqa: E402

importlib.import_module("sb_worker.celery")  # what a scan worker imports, so that the memory figure includes it
importlib.import_module("sb_worker.model.neural")  # as loading a model does
from benchmarks import cli  # noqa: E402
from sb_worker.model.corpus import labelled  # noqa: E402
from sb_worker.model.registry import offline_model  # noqa: E402
from sb_worker.scoring import pipeline as pipeline_module  # noqa: E402
from sb_worker.scoring.features import extract  # noqa: E402
from sb_worker.scoring.pipeline import build_pipeline  # noqa: E402
from sb_worker.settings import Settings  # noqa: E402

CHUNK = 512


def real_length_records(n: int = 6000, seed: int = 11) -> list[dict]:
    """Editors with bios of real lengths, made of distinct real texts (see the module docstring)."""
    rng = random.Random(seed)
    pool = [r["bio"] for r in labelled("train") + labelled("test") if r.get("bio")]
    rng.shuffle(pool)
    texts = iter(pool * 4)
    records = []
    for i in range(n):
        roll = rng.random()
        target = rng.randint(2500, 4000) if roll < 0.1 else rng.randint(300, 2500) if roll < 0.4 else rng.randint(20, 300)
        parts, length = [], 0
        while length < target:
            parts.append(next(texts))
            length += len(parts[-1]) + 1
        records.append({"id": i + 1, "bio": " ".join(parts)[:4000], "privs": 8192, "counts": {"edits": 0},
                        "website": "" if rng.random() < 0.5 else f"https://example{i}.com"})
    return records


def rate(score, records: list[dict]) -> float:
    start = time.perf_counter()
    for i in range(0, len(records), CHUNK):
        score("editor", records[i:i + CHUNK])
    return len(records) / (time.perf_counter() - start)


def stages(model, settings: Settings, records: list[dict]) -> dict[str, float]:
    """Microseconds per record in each stage of a pipeline's ``score`` over ``records`` (a pipeline built for this,
    its calls timed where they are made, so that the stages add up to the whole: not a profile's estimate)."""
    pipeline = build_pipeline(model=model, cache_dir=settings.cache_dir)
    spent: dict[str, float] = defaultdict(float)

    def timed(owner, name: str, stage: str) -> None:
        method = getattr(owner, name)

        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - start
        object.__setattr__(owner, name, call)  # detectors are frozen

    timed(pipeline_module, "extract", "features (normalisation, links, contacts, ...)")
    for detector in pipeline.detectors:
        timed(detector, "score", f"detector {detector.name}")
    timed(pipeline.model, "log_odds", "the model: its inputs and network")
    timed(pipeline.model, "explain", "the model's words, where they can matter")
    timed(pipeline, "combine", "each record's reasons, and where their evidence stands")
    try:
        start = time.perf_counter()
        for i in range(0, len(records), CHUNK):
            pipeline.score("editor", records[i:i + CHUNK])
        spent["the rest"] = time.perf_counter() - start - sum(spent.values())
    finally:
        pipeline_module.extract = extract
        for name in ("log_odds", "explain"):
            del model.__dict__[name]
    return {stage: 1e6 * seconds / len(records) for stage, seconds in spent.items()}


def main() -> None:
    model_dir = cli.arguments(__doc__, model_dir=(str, None, "a model's artifact folder")).model_dir
    imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    settings = Settings.from_env()
    model = offline_model(settings, model_dir)
    pipeline = build_pipeline(model=model, cache_dir=settings.cache_dir)
    sets = {"corpus": labelled("train") + labelled("test"), "real-length": real_length_records()}
    pipeline.score("editor", sets["corpus"][:CHUNK])  # start-up
    print(f"model {model.version}, chunks of {CHUNK}, one core (target 3,000 records/s):")
    for name, records in sets.items():
        lengths = sorted(len(r.get("bio") or "") for r in records)
        print(f"  {name:<12s} {len(records):6,d} records, bio mean {sum(lengths) / len(lengths):5,.0f} characters, "
              f"longest tenth from {lengths[len(lengths) * 9 // 10]:,}: {rate(pipeline.score, records):6,.0f} records/s")
    print(f"  of which features and detectors alone (no network), real-length: "
          f"{rate(pipeline.verdicts, sets['real-length']):,.0f} records/s")
    print("  where a real-length record's time goes, microseconds:")
    for stage, micros in sorted(stages(model, settings, sets["real-length"]).items(), key=lambda sm: -sm[1]):
        print(f"    {micros:6,.0f}  {stage}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this worker-like process: {rss:,.0f} MB (target under 800 MB), of which "
          f"{imported:,.0f} MB before the model was loaded (the imports); TensorFlow imported: "
          f"{'yes' if 'tensorflow' in sys.modules else 'no'}")


if __name__ == "__main__":
    main()
