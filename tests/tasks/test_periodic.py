"""Celery beat's periodic tasks on a real beat and worker: the gauges reach statsd, and the enqueue loop queues."""

import os
import socket
import subprocess
import sys

import pytest

from sb_worker.celery import beat_schedule
from sb_worker.settings import PREFIX, Settings
from tests.helpers import query, queued_scans, wait_until

pytestmark = pytest.mark.integration


def test_the_enqueue_loop_is_off_unless_asked_for_the_harvest_hourly_and_the_sweep_for_lost_scans_daily():
    assert set(beat_schedule(Settings())) == {"gauges", "harvest", "missing"}
    assert beat_schedule(Settings())["harvest"]["schedule"] == 3600
    assert beat_schedule(Settings())["missing"]["task"] == "spambrainz.enqueue_missing"
    assert beat_schedule(Settings())["missing"]["schedule"] == 86400
    assert set(beat_schedule(Settings(harvest_every_s=0, missing_every_s=0))) == {"gauges"}
    assert beat_schedule(Settings(enqueue_every_s=600))["enqueue"]["schedule"] == 600


def test_beat_sends_the_gauges_and_runs_the_enqueue_loop_and_the_harvest(settings, start_worker, redis_server,
                                                                          tmp_path):
    flagged = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor WHERE privs & 4096 = 0 "
                                                    "AND id > 4 ORDER BY id LIMIT 3")]
    query(settings.mb_dsn, "UPDATE musicbrainz.editor SET privs = privs | 4096, last_updated = now() "
                           "WHERE id = ANY(%s)", (flagged,))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.settimeout(30)
        settings = settings.replace(statsd_host="127.0.0.1", statsd_port=listener.getsockname()[1],
                                    gauges_every_s=1, enqueue_every_s=1, harvest_every_s=1)
        start_worker(settings, queues=("reports",), concurrency=1)  # no scan worker: the scans stay queued
        env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)} | settings.to_env()
        with open(tmp_path / "beat.log", "wb") as log:
            beat = subprocess.Popen([sys.executable, "-m", "celery", "-A", "sb_worker", "beat", "-s",
                                     str(tmp_path / "schedule"), "-l", "info"], env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            received = set()
            while not {"spambrainz.queue.scan.depth", "spambrainz.reports.open"} <= received:
                received |= {line.split(":")[0] for line in listener.recv(65535).decode().splitlines()}
            editors = query(settings.mb_dsn, "SELECT count(*) FROM musicbrainz.editor")[0][0]
            wait_until(lambda: sum(len(ids) for _, kind, ids in queued_scans(redis_server.client) if kind == "editor")
                       >= editors, 30, "beat's enqueue loop to queue every editor")
            wait_until(lambda: query(settings.dsn, "SELECT entity_id FROM label ORDER BY entity_id") ==
                       [(i,) for i in flagged], 30, "beat's harvest to label the flagged accounts")
        finally:
            beat.terminate()
            beat.wait(20)
    assert query(settings.dsn, "SELECT count(*) FROM scan_mark") == [(3,)]  # cron's marks, and the harvest's
