"""A broker and databases that are alive but do not answer (SIGSTOP; a proxy that accepts and forwards nothing),
with the API under gunicorn and concurrent load: each request is answered within the timeouts, a verdict is still
committed, the threads are never all held, and everything works again once they answer."""

from __future__ import annotations

import http.client
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sb_worker import service
from sb_worker.embedded import EmbeddedRedis
from tests.helpers import add_token, gunicorn, query
from tests.proxy import Proxy, postgres_socket

pytestmark = pytest.mark.integration

TIMEOUT_S = 2.0
ANSWERED_WITHIN_S = 4 * TIMEOUT_S  # a request waits for at most two timeouts, and for a thread behind others


def call(port: int, method: str, path: str, token: str | None, body: dict | None = None) -> tuple[int, float, dict, str]:
    """(status, seconds, headers, body) of one request on a connection of its own."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        answer = conn.getresponse()
        return answer.status, time.monotonic() - start, dict(answer.getheaders()), answer.read().decode()
    finally:
        conn.close()


@pytest.fixture
def reported(settings, rt):
    """The sample's editors scanned, so that there are reports to judge; an admin token."""
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)
    return ids, [r["id"] for r in rt.store.reports.open()], add_token(rt.store, "drill", ["admin"])


def test_a_hung_redis_is_a_503_within_the_timeout_while_the_rest_of_the_api_answers(settings, reported, tmp_path):
    ids, reports, token = reported
    with EmbeddedRedis(tmp_path / "hung" / "redis.db") as redis, \
            gunicorn(settings.replace(broker_url=redis.url, broker_timeout_s=TIMEOUT_S), workers=2, threads=8) as port:
        assert call(port, "POST", "/v1/scans", token, {"editors": ids[:1]})[0] == 202
        redis.client.delete("scan")
        os.kill(redis.client.pid, signal.SIGSTOP)
        try:
            with ThreadPoolExecutor(40) as pool:  # 24 scans: more than gunicorn's 16 threads
                scans = [pool.submit(call, port, "POST", "/v1/scans", token, {"editors": [i]}) for i in ids[1:25]]
                time.sleep(0.5)
                reads = [pool.submit(call, port, "GET", "/v1/thresholds", token) for _ in range(8)]
                verdict = pool.submit(call, port, "POST", f"/v1/reports/{reports[0]}/verdict", token,
                                      {"verdict": "spam", "ninja": "drill"})
                health = pool.submit(call, port, "GET", "/healthz", None)
                answers = [f.result() for f in [*scans, *reads, verdict, health]]
        finally:
            os.kill(redis.client.pid, signal.SIGCONT)
        slowest = max(took for _, took, _, _ in answers)
        print(f"hung Redis: {len(answers)} requests, the slowest answered in {slowest:.1f} s")
        assert slowest < ANSWERED_WITHIN_S
        for status, _, headers, body in (f.result() for f in scans):
            assert status == 503 and headers["Retry-After"] and "the broker" in body, body
        assert all(f.result()[0] == 200 for f in reads)  # never touches Redis: answered all along
        assert verdict.result()[0] == 201  # committed; the trainer finds it in the table
        assert query(settings.dsn, "SELECT count(*) FROM verdict WHERE report_id = %s", (reports[0],)) == [(1,)]
        status, _, _, body = health.result()
        assert status == 503 and json.loads(body)["checks"]["redis"] == "unreachable: Unavailable"
        # Answered 503, queued nothing: nothing waits in Redis to run after the clients gave up.
        assert redis.client.llen("scan") == 0
        time.sleep(TIMEOUT_S)  # the pause after the last silence (sb_worker.errors.Silence), then all works again
        assert call(port, "POST", "/v1/scans", token, {"editors": ids[:1]})[0] == 202
        assert call(port, "GET", "/healthz", None)[0] == 200 and redis.client.llen("scan") == 1


def test_hung_databases_are_a_503_within_the_timeout_and_the_api_recovers(settings, reported):
    _, reports, token = reported
    with Proxy(postgres_socket(settings.dsn)) as ours, Proxy(postgres_socket(settings.mb_dsn)) as theirs:
        behind = settings.replace(dsn=ours.dsn(settings.dsn), mb_dsn=theirs.dsn(settings.mb_dsn), db_timeout_s=TIMEOUT_S)
        with gunicorn(behind, workers=2, threads=8) as port:
            assert call(port, "GET", "/v1/thresholds", token)[0] == 200  # connected, token checked
            ours.freeze()
            theirs.freeze()
            try:
                with ThreadPoolExecutor(40) as pool:
                    reads = [pool.submit(call, port, "GET", path, token)
                             for path in ["/v1/thresholds", f"/v1/reports/{reports[0]}", "/v1/models"] * 8]
                    verdict = pool.submit(call, port, "POST", f"/v1/reports/{reports[0]}/verdict", token,
                                          {"verdict": "spam", "ninja": "drill"})
                    health = pool.submit(call, port, "GET", "/healthz", None)
                    answers = [f.result() for f in [*reads, verdict, health]]
            finally:
                ours.thaw()
                theirs.thaw()
            slowest = max(took for _, took, _, _ in answers)
            print(f"hung databases: {len(answers)} requests, the slowest answered in {slowest:.1f} s")
            assert slowest < ANSWERED_WITHIN_S + TIMEOUT_S  # /healthz asks both databases, one after the other
            for status, _, headers, body in answers[:-1]:
                assert status == 503 and headers["Retry-After"] == "30" and "SpamBrainz database" in body, body
            status, _, _, body = health.result()
            checks = json.loads(body)["checks"]
            assert status == 503 and checks["spambrainz_db"] == checks["musicbrainz_db"] == "unreachable: Unavailable"
            assert query(settings.dsn, "SELECT count(*) FROM verdict") == [(0,)]  # refused, not half-done
            time.sleep(TIMEOUT_S)  # the pause after the last silence, then all works again, on new connections
            assert call(port, "GET", "/v1/thresholds", token)[0] == 200
            assert call(port, "POST", f"/v1/reports/{reports[0]}/verdict", token,
                        {"verdict": "spam", "ninja": "drill"})[0] == 201
            assert call(port, "GET", "/healthz", None)[0] == 200
