"""Hostile API input: a schemathesis run over the OpenAPI description, oversized bodies and slow clients against
gunicorn behind nginx, as deployed. Whatever comes, no 5xx and no stuck worker."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from sb_worker import service
from sb_worker.api import create_app
from sb_worker.settings import PREFIX
from tests.helpers import add_token, query, wait_until

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.integration


@pytest.fixture
def api_schema(settings, rt):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)  # reports to read and judge
    token = add_token(rt.store, "fuzzer", ["admin"])
    schema = schemathesis.openapi.from_dict(json.loads(resources.files("sb_worker").joinpath("openapi.json").read_text()))
    schema.app = create_app(settings.replace(max_queue_depth=10**9))
    schema.fuzz_headers = {"Authorization": f"Bearer {token}"}
    return schema


def test_no_request_makes_the_api_fail(api_schema):
    # Driven through Hypothesis directly: schemathesis' own pytest plugin does not run under pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 20
    for operation in operations:
        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=api_schema.fuzz_headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])

        check()


# -- gunicorn behind nginx, as docker-compose.yml deploys them ------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def deployed(settings, rt, tmp_path):
    """gunicorn (2 workers x 16 threads, as in docker-compose.yml) behind nginx with the deployed configuration."""
    nginx = shutil.which("nginx") or str(ROOT / ".venv/nginx/usr/sbin/nginx")
    assert os.access(nginx, os.X_OK), "the slow-client drill needs nginx (make test unpacks Debian's into .venv)"
    api_port, proxy_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)} | settings.to_env()
    api = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "16", "-b",
                            f"127.0.0.1:{api_port}", "--log-level", "warning", "sb_worker.api:wsgi()"], env=env)
    template = (ROOT / "deploy/nginx/spambrainz.conf.template").read_text()
    server = re.sub(r"\$\{(\w+)\}", lambda m: {"API_UPSTREAM": f"127.0.0.1:{api_port}",
                                                 "NGINX_PORT": f"127.0.0.1:{proxy_port}"}[m.group(1)], template)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
        {"user root;" if os.geteuid() == 0 else ""}
        worker_processes 1;
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/error.log;
        events {{ worker_connections 4096; }}
        http {{
            access_log off;
            client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
            {server}
        }}""")
    proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c",
                              str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
    try:
        wait_until(lambda: listening(api_port) and listening(proxy_port), 60, "gunicorn and nginx to listen")
        token = add_token(rt.store, "client", ["submit"])
        yield proxy_port, token
    finally:
        proxy.terminate()
        api.terminate()
        proxy.wait(20)
        api.wait(30)


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, float]:
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status, time.monotonic() - start
    finally:
        conn.close()


def test_slow_clients_and_oversized_bodies_do_not_stall_the_api(deployed):
    port, token = deployed
    # 300 clients that send half a request and stop, 50 that trickle a body: far more than gunicorn's 32 threads.
    slow = []
    for i in range(350):
        sock = socket.create_connection(("127.0.0.1", port))
        if i < 300:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: spambrainz\r\n")
        else:
            sock.sendall(b"POST /v1/scans HTTP/1.1\r\nHost: spambrainz\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100000\r\n\r\n{\"editors\": [")
        slow.append(sock)
    try:
        for _ in range(20):  # everyone else is still served, at once
            status, took = get(port, "/healthz")
            assert status == 200 and took < 2.0
        for size, says in ((1_500_000, b"larger than 1,000,000 bytes"), (5_000_000, b"413 Request Entity Too Large")):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # the API's own 413, then nginx's
            conn.request("POST", "/v1/scans", body=b"x" * size, headers={"Content-Type": "application/json",
                                                                         "Authorization": f"Bearer {token}"})
            answer = conn.getresponse()
            assert answer.status == 413 and says in answer.read()
            conn.close()
    finally:
        for sock in slow:
            sock.close()
    assert get(port, "/v1/thresholds")[0] == 401  # and afterwards: answered, not stuck
