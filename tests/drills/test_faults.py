"""Fault drills on real processes: workers SIGKILLed again and again, databases that go away and come back.

Each drill runs a real Celery worker on the embedded Redis against a sample MusicBrainz of 20,000 editors and
checks the end state: every editor scored, exactly one score row and at most one open report each.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from sb_worker.broker import Publisher
from sb_worker.celery import PRIORITY_CRON
from sb_worker.settings import PREFIX

from tests.helpers import assert_each_scored_once, query, wait_until
from tests.proxy import Proxy, postgres_socket

pytestmark = pytest.mark.integration


def all_ids(settings) -> list[int]:
    return [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]


def enqueue(settings, ids) -> None:
    with Publisher(settings.broker_url, settings.chunk_size) as publisher:
        publisher.publish("editor", ids, PRIORITY_CRON)


def scored(settings) -> int:
    return query(settings.dsn, "SELECT count(*) FROM score WHERE kind = 'editor'")[0][0]


def test_scan_workers_killed_again_and_again_lose_nothing_and_duplicate_nothing(large, start_worker):
    settings = large.replace(task_soft_time_limit_s=4, visibility_timeout_s=9, chunk_size=50)
    ids = all_ids(settings)
    workers = [start_worker(settings, concurrency=2)]
    enqueue(settings, ids)
    rng, pool_kills, deadline = random.Random(3), 0, time.monotonic() + 240
    while scored(settings) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.3)
        if pool_kills in (3, 6) and len(workers) < pool_kills // 3 + 1:
            workers[-1].kill()  # the whole worker: its chunks come back after the visibility timeout
            workers.append(start_worker(settings, concurrency=2))
        children = workers[-1].children()
        if children:
            os.kill(rng.choice(children).pid, signal.SIGKILL)  # one pool process, mid-chunk or between chunks
            pool_kills += 1
    wait_until(lambda: scored(settings) == len(ids), 120, "every editor to be scored despite the kills")
    assert pool_kills >= 6 and len(workers) == 3  # the kills happened while the run went on
    assert any("WorkerLostError" in w.log() for w in workers)  # and some of them in the middle of a chunk
    assert_each_scored_once(settings)


def test_the_spambrainz_database_gone_for_30_s_delays_scans_but_loses_none(large, pg, start_worker):
    with Proxy(postgres_socket(large.dsn)) as proxy:
        settings = large.replace(dsn=proxy.dsn(large.dsn), chunk_size=50)
        ids = all_ids(settings)
        worker = start_worker(settings, queues=("scan",), concurrency=2)
        main_pid, children = worker.process.pid, {c.pid for c in worker.children()}
        enqueue(settings, ids[:2000])
        wait_until(lambda: scored(large) == 2000, 60, "the first 2,000 editors to be stored")
        enqueue(settings, ids[2000:])
        time.sleep(0.3)
        proxy.cut()  # chunks are being written as it goes: their transactions break
        cut_at = time.monotonic()
        time.sleep(2)  # transactions that had committed just before the cut are counted by now
        settled = scored(large)
        time.sleep(28)
        during = scored(large)
        assert during == settled  # nothing reached the database while it was gone
        assert worker.process.poll() is None and worker.process.pid == main_pid  # no crash loop ...
        assert {c.pid for c in worker.children()} == children  # ... not even of a pool process
        proxy.restore()
        wait_until(lambda: scored(large) == len(ids), 240, "every editor after the database came back")
        assert time.monotonic() - cut_at >= 30 and 2000 <= during < len(ids)
        assert "Retry in" in worker.log()  # the tasks retried with backoff
    assert_each_scored_once(large)


def test_the_musicbrainz_database_gone_delays_scans_and_enqueue_says_so_without_moving_its_marks(large, start_worker):
    with Proxy(postgres_socket(large.mb_dsn)) as proxy:
        settings = large.replace(mb_dsn=proxy.dsn(large.mb_dsn), chunk_size=50)
        env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)} | settings.to_env()
        first = subprocess.run([sys.executable, "-m", "sb_worker.cli", "enqueue"], env=env, capture_output=True,
                               text=True, timeout=300)  # cron's run: queues everything, sets the marks
        assert first.returncode == 0
        marks = query(settings.dsn, "SELECT kind, last_id, last_time FROM scan_mark ORDER BY kind")
        worker = start_worker(settings, queues=("scan",), concurrency=2)
        time.sleep(0.3)
        proxy.cut()
        refused = subprocess.run([sys.executable, "-m", "sb_worker.cli", "enqueue"], env=env, capture_output=True,
                                 text=True, timeout=60)
        assert refused.returncode == 3 and "sb: unavailable: MusicBrainz database unreachable" in refused.stderr
        assert query(settings.dsn, "SELECT kind, last_id, last_time FROM scan_mark ORDER BY kind") == marks
        time.sleep(10)
        ids = all_ids(large)
        during = scored(settings)
        proxy.restore()
        wait_until(lambda: scored(settings) == len(ids), 240, "every editor after MusicBrainz came back")
        assert during < len(ids) and "Retry in" in worker.log() and worker.process.poll() is None
    assert_each_scored_once(large)
