"""Redis crashed mid-run: with persistence the queue survives; what was in a worker's hands, or all of it when the
data is lost too, is queued again by `sb enqueue --missing` from what is stored up to cron's marks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import kombu
import pytest

import sb_worker.celery  # noqa: F401 (it makes sb_worker.transport the transport of Redis URLs)
from sb_worker import transport
from sb_worker.embedded import EmbeddedRedis
from sb_worker.settings import PREFIX
from tests.helpers import assert_each_scored_once, query, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def durable_redis(tmp_path):
    """A Redis of its own with AOF persistence (fsync on every write) at a fixed address."""
    with EmbeddedRedis(tmp_path / "broker" / "redis.db", durable=True) as server:
        yield server


def sb(settings, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)} | settings.to_env()
    return subprocess.run([sys.executable, "-m", "sb_worker.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def queued_editors(done: subprocess.CompletedProcess) -> int:
    return int(re.match(r"queued ([\d,]+) editors", done.stdout).group(1).replace(",", ""))


def scored(settings) -> tuple[int, int]:
    return query(settings.dsn, "SELECT count(*) FILTER (WHERE kind = 'editor'), count(*) FILTER (WHERE kind = 'edit') "
                               "FROM score")[0]


def in_mb(settings) -> tuple[int, int]:
    return query(settings.mb_dsn, "SELECT (SELECT count(*) FROM musicbrainz.editor), (SELECT count(*) FROM musicbrainz.edit)")[0]


def test_a_channel_waiting_on_the_queue_when_redis_dies_closes_without_killing_the_worker(durable_redis):
    # What Celery's consumer does when Redis dies under a worker waiting for its next task (see sb_worker.transport):
    # close the channel, let go of the transport, close again. kombu's own channel raised AttributeError there.
    queue = kombu.Queue("scan", kombu.Exchange("scan", "direct"), "scan")
    with kombu.Connection(durable_redis.url) as connection:
        assert isinstance(connection.transport, transport.Transport)
        connection.Producer().publish({"chunk": 1}, exchange=queue.exchange, routing_key="scan", declare=[queue])
        channel = connection.default_channel
        held = []
        kombu.Consumer(channel, [queue], callbacks=[lambda body, message: held.append(body)]).consume()
        connection.drain_events(timeout=5)  # a chunk in the worker's hands, unacknowledged
        channel._brpop_start()  # and the worker waits on the queue for the next
        durable_redis.crash()
        with pytest.raises(connection.connection_errors):
            channel.close()  # the unacknowledged chunk cannot be put back: Redis is gone
        connection._do_close_transport()
        channel.close()
        assert held == [{"chunk": 1}] and channel.closed
    durable_redis.start()
    assert durable_redis.client.hlen("unacked") == 1  # the chunk is still Redis's to hand out again


def test_redis_crashed_mid_run_loses_no_scan_and_lost_data_is_recovered_from_the_marks(large, durable_redis, start_worker):
    settings = large.replace(broker_url=durable_redis.url, chunk_size=50, task_soft_time_limit_s=4,
                             visibility_timeout_s=9)
    assert sb(settings, "enqueue").returncode == 0  # cron: every editor and edit, in chunks of 50
    worker = start_worker(settings, queues=("scan",), concurrency=2)
    wait_until(lambda: sum(scored(settings)) >= 2000, 60, "the first chunks to be stored")
    durable_redis.crash()  # mid-run: chunks queued, chunks in flight
    crashed = sum(scored(settings))
    time.sleep(3)
    durable_redis.start()  # same address, same data (the append-only file)
    # A message a worker had just popped, before kombu recorded it as unacknowledged, died with Redis: the scans
    # never delivered are queued again from what is stored (what cron's runbook says to do after a crash).
    assert sb(settings, "enqueue", "--missing").returncode == 0
    wait_until(lambda: scored(settings) == in_mb(settings), 180, "every scan after Redis came back")
    assert crashed < sum(in_mb(settings)) and worker.process.poll() is None  # the worker reconnected
    assert_each_scored_once(settings, ("editor", "edit"))

    # Now Redis loses its data as well: 2,000 new editors were queued, then the queue is gone.
    worker.stop()
    query(settings.mb_dsn, """INSERT INTO musicbrainz.editor (name, password, ha1, email, website, bio, member_since,
                                                              last_updated)
                              SELECT name || '_again', password, ha1, email, website, bio, now(), now()
                              FROM musicbrainz.editor ORDER BY id LIMIT 2000""")
    assert queued_editors(sb(settings, "enqueue")) >= 2000  # cron: the new ones (and its overlap window again)
    durable_redis.crash()
    for lost in durable_redis.path.parent.glob("*"):
        if lost.name.startswith(("appendonly", "redis.db")):
            lost.unlink()
    durable_redis.start()
    start_worker(settings, queues=("scan",), concurrency=2)
    time.sleep(3)
    assert scored(settings)[0] == in_mb(settings)[0] - 2000  # the 2,000 are lost with the queue
    recovered = sb(settings, "enqueue", "--missing")  # what has no score up to the marks, again
    assert recovered.returncode == 0 and queued_editors(recovered) == 2000
    wait_until(lambda: scored(settings) == in_mb(settings), 120, "the recovered editors to be scored")
    assert_each_scored_once(settings, ("editor", "edit"))
