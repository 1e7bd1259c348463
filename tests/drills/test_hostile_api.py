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
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sb_worker import service
from sb_worker.web.app import create_app

from tests.helpers import add_token, free_port, gunicorn, listening, query, wait_until

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.integration


@pytest.fixture
def api_schema(settings, rt, start_worker):
    start_worker(settings, queues=("scan",), concurrency=1)  # POST /v1/score's records are scored by a worker
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)  # reports to read and judge
    token = add_token(rt.store, "fuzzer", ["admin"])
    schema = schemathesis.openapi.from_dict(json.loads(resources.files("sb_worker.web").joinpath("openapi.json").read_text()))
    schema.app = create_app(settings.replace(max_queue_depth=10**9))
    schema.fuzz_headers = {"Authorization": f"Bearer {token}"}
    return schema


def test_no_request_makes_the_api_fail(api_schema):
    # Driven through Hypothesis directly: schemathesis' own pytest plugin does not run under pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 26
    for operation in operations:
        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=api_schema.fuzz_headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])

        check()


# What schemathesis' default strategies never draw: each once reached a 500 (a RecursionError, PostgreSQL refusing
# a NUL, an OverflowError while formatting an error).
HOSTILE_TEXT = ["a\x00b", "\ud800", "x\udfffy", "admin\u202egpj.exe", "\u2066\u200b", "🎵" * 3, "é" * 10_001, " ", ""]
HOSTILE_JSON = ["9" * 401, "-" + "9" * 400, "1e999", "NaN", "-Infinity", "[" * 1000 + "]" * 1000,
                '{"a": ' * 40 + "1" + "}" * 40, "true", "null", "[]", "0.5"]
VALUES = st.one_of(st.sampled_from(HOSTILE_TEXT).map(json.dumps), st.sampled_from(HOSTILE_JSON))
IN_URL = st.one_of(st.sampled_from(HOSTILE_TEXT).map(lambda t: quote(t.encode("utf-8", "surrogatepass"))),
                   st.sampled_from(["1", "0", "9" * 30, "%ED%A0%80", "-1"]))


def hostile_request(path: str, operation: dict) -> st.SearchStrategy:
    """(path with hostile parameters, raw JSON body): known fields and unknown ones, each given a hostile value."""
    names = re.findall(r"\{(\w+)\}", path)
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    fields = sorted(schema.get("properties", {})) or ["editors"]
    key = st.one_of(st.sampled_from(fields), st.sampled_from(HOSTILE_TEXT))
    body = st.one_of(st.dictionaries(key, VALUES, max_size=4).map(
        lambda d: "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in d.items()) + "}"), st.sampled_from(HOSTILE_JSON))

    def build(parts: list[str], query: dict[str, str], raw: str) -> tuple[str, str]:
        url = path
        for name, part in zip(names, parts):
            url = url.replace("{" + name + "}", part)
        return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""), raw
    return st.builds(build, st.lists(IN_URL, min_size=len(names), max_size=len(names)),
                     st.dictionaries(st.sampled_from(queries or ["x"]), IN_URL, max_size=2), body)


def test_hostile_strings_numbers_and_nesting_get_a_4xx_on_every_route(api_schema):
    spec = json.loads(resources.files("sb_worker.web").joinpath("openapi.json").read_text())
    client = api_schema.app.test_client()
    statuses: Counter = Counter()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            @given(request=hostile_request(path, operation))
            @hypothesis_settings(max_examples=40, deadline=None, derandomize=True, database=None,
                                 suppress_health_check=list(HealthCheck))
            def check(request):
                url, raw = request
                answer = client.open(url, method=method, data=raw.encode("utf-8", "surrogatepass"),
                                     content_type="application/json", headers=api_schema.fuzz_headers)
                statuses[answer.status_code] += 1
                assert answer.status_code < 500, (method, url, raw[:200], answer.get_data(as_text=True)[:300])

            check()
    print("hostile fuzz:", dict(sorted(statuses.items())))
    assert statuses[400] > 100 and sum(statuses.values()) >= 26 * 40  # the values reached the checks


# -- gunicorn behind nginx, as docker-compose.yml deploys them ------------------------------------------------------
@pytest.fixture
def deployed(settings, rt, tmp_path):
    """gunicorn (2 workers x 16 threads, as in docker-compose.yml) behind nginx with the deployed configuration."""
    nginx = shutil.which("nginx") or str(ROOT / ".venv/nginx/usr/sbin/nginx")
    assert os.access(nginx, os.X_OK), "the slow-client drill needs nginx (make test unpacks Debian's into .venv)"
    proxy_port = free_port()
    with gunicorn(settings, workers=2, threads=16) as api_port:
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
            wait_until(lambda: listening(proxy_port), 60, "nginx to listen")
            token = add_token(rt.store, "client", ["submit"])
            yield proxy_port, token, api_port
        finally:
            proxy.terminate()
            proxy.wait(20)


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, float]:
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status, time.monotonic() - start
    finally:
        conn.close()


def test_slow_clients_and_oversized_bodies_do_not_stall_the_api(deployed):
    port, token, _ = deployed
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


def test_a_chunked_body_over_the_limit_is_a_413_from_gunicorn_itself(deployed):
    _, token, api_port = deployed  # nginx buffers and counts a chunked body; gunicorn alone streams it to the API
    conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
    conn.request("POST", "/v1/scans", body=iter([b'{"editors": [', b"1, " * 400_000, b"1]}"]), encode_chunked=True,
                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    answer = conn.getresponse()
    text = answer.read()
    conn.close()
    assert answer.status == 413 and b"larger than 1,000,000 bytes" in text, text
