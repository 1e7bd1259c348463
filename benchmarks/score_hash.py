"""A fingerprint of every score and reason SpamBrainz gives the bundled corpus, with the weights and with a model.

Run: .venv/bin/python -m benchmarks.score_hash [MODEL_DIR]   (default: the active model in SB_MODEL_DIR)

For changes meant to leave scoring as it is (a refactor, a new field beside the reasons): run it on both checkouts
with the same model folder; equal fingerprints mean every record of the corpus got the same score and the same
reasons (detector, points, sentence) — the leave-one-source-out table cannot have moved. The third line is of
where each reason's evidence stands in the record (the spans the review page marks), for changes to how they are
found.
"""

from __future__ import annotations

import hashlib
import json

from benchmarks import cli
from sb_worker.settings import Settings

try:
    from sb_worker.model.corpus import labelled
    from sb_worker.scoring.pipeline import build_pipeline
except ImportError:  # a checkout from before the packages of issue 15 (copy this file there to compare)
    from sb_worker.corpus import labelled
    from sb_worker.pipeline import build_pipeline

CHUNK = 512


def fingerprint(pipeline, records, evidence: bool = False) -> str:
    """Of every score and reason; with ``evidence``, of where each reason's evidence stands (field and place)."""
    digest = hashlib.sha256()
    for i in range(0, len(records), CHUNK):
        for score in pipeline.score("editor", records[i:i + CHUNK]):
            if evidence:
                digest.update(json.dumps([score.entity_id, [getattr(r, "evidence", ()) for r in score.reasons]],
                                         sort_keys=True).encode())
            else:
                digest.update(json.dumps([score.entity_id, score.score,
                                          [(r.detector, r.points, r.why) for r in score.reasons]]).encode())
    return digest.hexdigest()[:16]


def main() -> None:
    model_dir = cli.arguments(__doc__, model_dir=(str, None, "a model's artifact folder")).model_dir
    try:
        from sb_worker.model.neural import NeuralModel
    except ImportError:
        from sb_worker.neural import NeuralModel

    settings = Settings.from_env()
    if model_dir:
        model = NeuralModel.load(model_dir)
    else:
        from sb_worker.model.registry import Folder

        folder = Folder(settings.model_dir)
        model = folder.load(folder.active())
    records = labelled("train") + labelled("test")
    print(f"{len(records):,} records of the bundled corpus")
    print(f"  weights alone:     {fingerprint(build_pipeline(cache_dir=settings.cache_dir), records)}")
    scored = build_pipeline(model=model, cache_dir=settings.cache_dir)
    print(f"  model {model.version}: {fingerprint(scored, records)}")
    print(f"  its reasons' evidence: {fingerprint(scored, records, evidence=True)}")


if __name__ == "__main__":
    main()
