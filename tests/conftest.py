"""Shared fixtures: one embedded PostgreSQL and Redis per session; fresh databases for every test."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from sb_worker import runtime
from sb_worker.embedded import EmbeddedPostgres, EmbeddedRedis, WorkerProcess
from sb_worker.samples.musicbrainz import build_sample
from sb_worker.scoring.pipeline import Thresholds
from sb_worker.settings import Settings
from sb_worker.storage.store import Store
from sb_worker.web.app import create_app

SAMPLE_EDITORS = 300
SAMPLE_SEED = 7


@pytest.fixture(scope="session")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A real PostgreSQL 16 server for the whole run."""
    with EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data") as server:
        yield server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A real Redis server for the whole run."""
    with EmbeddedRedis(tmp_path_factory.mktemp("redis") / "redis.db") as server:
        yield server


@pytest.fixture(scope="session")
def mb_template(pg: EmbeddedPostgres) -> str:
    """A sample MusicBrainz database built once, copied for each test."""
    build_sample(pg.create_database("mb_template"), editors=SAMPLE_EDITORS, seed=SAMPLE_SEED)
    return "mb_template"


@pytest.fixture(scope="session")
def sb_template(pg: EmbeddedPostgres) -> str:
    """A migrated SpamBrainz database built once, copied for each test."""
    store = Store(pg.create_database("sb_template"), Thresholds(50))
    store.migrate()
    store.close()
    return "sb_template"


def _fresh_database(pg: EmbeddedPostgres, template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield pg.create_database(name, template=template)
    pg.drop_database(name)


@pytest.fixture
def mb_dsn(pg: EmbeddedPostgres, mb_template: str) -> Iterator[str]:
    """A fresh copy of the sample MusicBrainz database."""
    yield from _fresh_database(pg, mb_template)


@pytest.fixture
def sb_dsn(pg: EmbeddedPostgres, sb_template: str) -> Iterator[str]:
    """A fresh, migrated SpamBrainz database."""
    yield from _fresh_database(pg, sb_template)


@pytest.fixture
def broker(redis_server: EmbeddedRedis) -> str:
    """The broker URL of an emptied Redis."""
    redis_server.client.flushall()
    return redis_server.url


@pytest.fixture
def settings(mb_dsn: str, sb_dsn: str, broker: str, tmp_path: Path) -> Settings:
    """Settings pointing at this test's databases and broker."""
    # No audit sample: tests that count reports see reports only; the audit's own tests switch it on.
    return Settings(mb_dsn=mb_dsn, dsn=sb_dsn, broker_url=broker, data_dir=str(tmp_path), audit_rates=())


@pytest.fixture
def rt(settings: Settings) -> Iterator[runtime.Runtime]:
    """This process's runtime on this test's settings."""
    runtime.configure(settings)
    yield runtime.get()
    runtime.close()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real Celery worker processes; each is stopped when the test ends."""
    started: list[WorkerProcess] = []

    def start(settings: Settings, **options) -> WorkerProcess:
        worker = WorkerProcess(settings, tmp_path / f"worker-{len(started)}.log", **options)
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop(timeout=20)


@pytest.fixture(scope="session")
def default_model() -> Path:
    """The default trained model's artifact folder: trained once into SB_MODEL_DIR, as `sb score` and `sb demo`
    train it on first use, then reused (the demo's test runs `sb demo` on the same folder)."""
    from sb_worker.model.registry import Folder, offline_model

    settings = Settings()
    offline_model(settings)
    folder = Folder(settings.model_dir)
    return folder.path(folder.active())


@pytest.fixture
def served(settings, rt):
    """The Flask app on a real HTTP server in a thread."""
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert binary and driver_path, "the browser test needs Chromium and its chromedriver (make test installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
