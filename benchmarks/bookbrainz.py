"""How well the scorers transfer to BookBrainz's accounts: precision and recall at the review threshold on the
BookBrainz sample, for the network, for the model's fitted weights, and for the bundled heuristic weights.

Run: .venv/bin/python -m benchmarks.bookbrainz [EDITORS] [SEED]   (default 1,000 editors, seed 7)

The sample is built on embedded PostgreSQL and read through the bookbrainz_editor source; the default trained
model is trained on first use into SB_MODEL_DIR. This is why that source has ``scored_by_network = False``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import cli
from sb_worker.embedded import EmbeddedPostgres
from sb_worker.model.registry import train_default
from sb_worker.runtime import offline_pipeline
from sb_worker.samples.bookbrainz import build_bookbrainz_sample
from sb_worker.scoring.pipeline import Score, build_pipeline
from sb_worker.settings import Settings
from sb_worker.storage.sources.bookbrainz import BookBrainzEditors


def main(editors: int = 1000, seed: int = 7) -> None:
    settings = Settings()
    model = train_default(settings)
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "data") as pg:
        dsn = pg.create_database("bookbrainz")
        made = build_bookbrainz_sample(dsn, editors, seed)
        source = BookBrainzEditors(settings.replace(bookbrainz_dsn=dsn))
        with_model = build_pipeline(settings.detectors, model=model)
        records, _ = source.load(range(1, editors * 2))
        source.close()
    print(f"BookBrainz sample: {len(records):,} editors, {len(made.spam_ids):,} spam; "
          f"review threshold {settings.review_threshold:g}; model {model.version}")
    for name, pipeline, network in (("network", with_model, True), ("model's weights", with_model, False),
                                    ("bundled weights", offline_pipeline(settings), True)):
        scores = [s for s in pipeline.score(source.kind, records, source.shape, network) if isinstance(s, Score)]
        flagged = {s.entity_id for s in scores if s.score >= settings.review_threshold}
        caught = len(flagged & made.spam_ids)
        print(f"  {name:16} reported {len(flagged):4}  precision {caught / max(len(flagged), 1):.3f}  "
              f"recall {caught / len(made.spam_ids):.3f}")


if __name__ == "__main__":
    main(**vars(cli.arguments(__doc__, editors=(int, 1000, "BookBrainz editors in the sample"),
                              seed=(int, 7, "the sample's seed"))))
