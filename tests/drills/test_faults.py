"""Fault drills on real processes: workers SIGKILLed again and again, databases that go away and come back.

Each drill runs a real Celery worker on the embedded Redis against a sample MusicBrainz of 20,000 editors and
checks the end state: every editor scored, exactly one score row and at most one open report each.
"""

from __future__ import annotations

import functools
import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from sb_worker.broker import Publisher, queue_depth
from sb_worker.celery import ENQUEUE_MISSING, PRIORITY_CRON, app
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


def unacked(settings) -> int:
    """Messages out with a worker, not yet acknowledged (kombu's ``unacked`` hash)."""
    with app.connection_for_read(settings.broker_url) as connection:
        return connection.default_channel.client.hlen("unacked")


def broker_idle(settings) -> bool:
    """No scan waits in the queue and none is out with a worker: the killed workers' chunks have come back and run."""
    return not unacked(settings) and not queue_depth(settings.broker_url)


def settled(settings) -> bool:
    """The broker idle twice, 2 s apart, with no score stored between: no chunk was on its way from the queue to a
    worker (taken, not yet recorded as unacknowledged) when it first looked idle."""
    if not broker_idle(settings):
        return False
    before = scored(settings)
    time.sleep(2)
    return broker_idle(settings) and scored(settings) == before


def sweep(settings) -> None:
    """What Celery beat sends daily: the sweep that queues again what no scan covered (a chunk a killed worker lost)."""
    with app.connection_for_write(settings.broker_url) as connection:
        app.send_task(ENQUEUE_MISSING, connection=connection)


def where_things_stand(settings, ids, workers) -> str:
    """What a failed drill reports: each worker's errors other than the drill's kills and the stacks of its threads
    (Celery writes them to its log on SIGUSR1), then the scan's state in the broker and the database."""
    lines = []
    for n, worker in enumerate(workers):
        alive = worker.process.poll() is None
        if alive:
            os.kill(worker.process.pid, signal.SIGUSR1)
            time.sleep(1)
        log = worker.log().split("LOCAL VARIABLES")[0].splitlines()  # the stacks, without the dump's locals
        unexpected = [line for line in log if re.search(r"ERROR|WARNING|CRITICAL", line)
                      and not re.search(r"SIGKILL|WorkerLostError", line)]
        lines.append(f"worker {n}: {'alive' if alive else f'exited {worker.process.returncode}'}, "
                     f"{len(worker.children())} pool processes, {len(unexpected)} errors other than the kills")
        lines += ["    " + line[:240] for line in unexpected[:5] + (["  its log ends:", *log[-30:]] if alive else [])]
    with app.connection_for_read(settings.broker_url) as connection:
        lock = connection.default_channel.client.get("unacked_mutex")
    errors = query(settings.dsn, "SELECT entity, error FROM scan_error WHERE kind = 'editor' LIMIT 5")
    lines += [f"broker: {queue_depth(settings.broker_url)} scan chunks waiting, {unacked(settings)} unacknowledged, "
              f"restore lock {lock!r}",
              f"{scored(settings)} of {len(ids)} editors scored; scan errors (first 5): {errors}"]
    return "\n".join(lines)


def test_scan_workers_killed_again_and_again_lose_nothing_and_duplicate_nothing(large, start_worker):
    settings = large.replace(task_soft_time_limit_s=4, visibility_timeout_s=9, chunk_size=50, sources=("editor",))
    ids = all_ids(settings)
    workers = [start_worker(settings, concurrency=2)]
    enqueue(settings, ids)
    rng, pool_kills, deadline = random.Random(3), 0, time.monotonic() + 240
    while not broker_idle(settings) and time.monotonic() < deadline:  # until every chunk has run, or been lost
        time.sleep(0.3)
        if pool_kills in (3, 6) and len(workers) < pool_kills // 3 + 1:
            workers[-1].kill()  # the whole worker: its chunks come back after the visibility timeout
            workers.append(start_worker(settings, concurrency=2))
        children = workers[-1].children()
        if children:
            os.kill(rng.choice(children).pid, signal.SIGKILL)  # one pool process, mid-chunk or between chunks
            pool_kills += 1
    state = functools.partial(where_things_stand, settings, ids, workers)
    wait_until(lambda: settled(settings), 120, "the killed workers' chunks to come back and run", state)
    sweep(settings)  # Redis hands a message out before a worker records it: one killed in between loses the chunk
    wait_until(lambda: scored(settings) == len(ids), 60, "every editor to be scored despite the kills", state)
    assert pool_kills >= 6 and len(workers) == 3  # the kills happened while the run went on
    assert any("WorkerLostError" in w.log() for w in workers)  # and some of them in the middle of a chunk
    assert_each_scored_once(settings)


def test_whole_workers_killed_as_they_take_chunks_lose_nothing_once_the_sweep_has_run(large, start_worker):
    """Redis hands a message out before the worker records it as taken, and a worker killed in between loses that
    chunk (here about one in 30 kills): the daily sweep queues it again."""
    settings = large.replace(task_soft_time_limit_s=4, visibility_timeout_s=9, chunk_size=5, sources=("editor",))
    ids = all_ids(settings)
    enqueue(settings, ids)
    rng, workers = random.Random(5), []
    while queue_depth(settings.broker_url) and len(workers) < 30:
        workers.append(start_worker(settings, concurrency=2))
        time.sleep(rng.uniform(0.2, 1.5))
        workers[-1].kill()  # the worker and its pool, at once: mid-chunk, or as it takes the next one
    last = start_worker(settings, concurrency=2)
    state = functools.partial(where_things_stand, settings, ids, [last])
    wait_until(lambda: settled(settings), 120, "the killed workers' chunks to come back and run", state)
    lost = len(ids) - scored(settings)
    sweep(settings)
    wait_until(lambda: scored(settings) == len(ids), 60, "every editor to be scored once the sweep has run", state)
    # the sweep logs what it queued after queuing it, so its chunk can be scored before the line is written
    wait_until(lambda: re.search(r"Task spambrainz\.enqueue_missing\[[^]]+\] succeeded", last.log()), 30,
               "the sweep to finish", state)
    assert len(workers) >= 10  # the kills happened while chunks were being handed out
    assert_each_scored_once(settings)
    swept = re.findall(r"queued (\d+) editors again that no scan covered", last.log())
    assert swept == ([str(lost)] if lost else [])  # the sweep queued exactly what the kills had lost


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
