"""What the service benchmarks share: embedded servers, a sample MusicBrainz and a ready SpamBrainz database."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sb_worker import runtime
from sb_worker.embedded import EmbeddedPostgres, EmbeddedRedis
from sb_worker.model.registry import pack, train_default
from sb_worker.samples.musicbrainz import SampleSummary, build_sample
from sb_worker.settings import Settings


@dataclass(frozen=True)
class Service:
    """A SpamBrainz on embedded servers, configured in this process."""

    settings: Settings
    rt: runtime.Runtime
    tmp: Path
    sample: SampleSummary
    build_s: float            # seconds the sample took to build
    model: str | None         # the active model version, when one was asked for


@contextmanager
def embedded_service(editors: int, seed: int = 1, model: bool = False) -> Iterator[Service]:
    """Embedded PostgreSQL and Redis, a sample MusicBrainz of ``editors``, a migrated SpamBrainz database and the
    pattern sets compiled (into the cache worker processes load from); with ``model``, the default trained model
    (trained on first use into SB_MODEL_DIR) stored and active. Everything stops when the block ends."""
    with tempfile.TemporaryDirectory() as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg, \
            EmbeddedRedis(Path(tmp) / "redis.db") as redis:
        mb = pg.create_database("mb")
        started = time.perf_counter()
        sample = build_sample(mb, editors=editors, seed=seed)
        build_s = time.perf_counter() - started
        settings = Settings(mb_dsn=mb, dsn=pg.create_database("sb"), broker_url=redis.url, data_dir=tmp)
        runtime.configure(settings)
        rt = runtime.get()
        rt.store.migrate()
        rt.pipeline.score("editor", [])
        version = None
        if model:
            trained = train_default(Settings.from_env())
            rt.store.models.store(trained.version, pack(trained.save(Path(tmp) / trained.version)), {})
            rt.store.models.promote(trained.version)
            version = trained.version
        try:
            yield Service(settings, rt, Path(tmp), sample, build_s, version)
        finally:
            runtime.close()
