"""The drills' MusicBrainz: a sample of 20,000 editors (and their edits), built once per run, copied per drill."""

from __future__ import annotations

import os
import time

import pytest

from sb_worker.embedded import EmbeddedPostgres
from sb_worker.samples.musicbrainz import build_sample

EDITORS = 20_000


@pytest.fixture(scope="session")
def large_mb_template(pg: EmbeddedPostgres) -> str:
    """A sample MusicBrainz of 20,000 editors, built once per run."""
    build_sample(pg.create_database("mb_large_template"), editors=EDITORS, seed=11)
    return "mb_large_template"


@pytest.fixture
def large(pg, large_mb_template, settings):
    """Settings whose MusicBrainz is a fresh copy of the large sample; chunks of 200 (100 chunks in all)."""
    name = f"mb_large_{os.getpid()}_{int(time.monotonic() * 1000)}"
    dsn = pg.create_database(name, template=large_mb_template)
    yield settings.replace(mb_dsn=dsn, chunk_size=200)
    pg.drop_database(name)
