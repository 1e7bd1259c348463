"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2
import pytest

from sb_worker.web.tokens import new_token


def add_token(store, name: str, scopes: list[str]) -> str:
    """A new API token with ``scopes``, stored under ``name``; returns the token itself."""
    token, token_hash = new_token()
    store.access.add_token(name, token_hash, scopes)
    return token


def query(dsn: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one query, on a connection of its own."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def sb(settings, *args: str) -> subprocess.CompletedProcess:
    """Run the `sb` command with ``settings`` (and no other SB_ variable from this environment)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | settings.to_env()
    return subprocess.run([sys.executable, "-m", "sb_worker.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def wait_until(condition: Callable[[], object], timeout: float, what: str,
               state: Callable[[], str] | None = None) -> object:
    """Poll ``condition`` until it is truthy; fail the test naming ``what`` after ``timeout`` seconds, and with
    what ``state`` says then (where things stand, for a drill that fails only now and then)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}" + (f"\n{state()}" if state else ""))
        time.sleep(0.1)


def queued_scans(redis_client, queue: str = "scan") -> list[tuple[int, str, list]]:
    """(priority, kind, IDs) of every scan message waiting in ``queue``, read from Redis itself."""
    import base64
    import json

    found = []
    for priority in range(10):
        key = queue if priority == 0 else f"{queue}:{priority}"
        for raw in reversed(redis_client.lrange(key, 0, -1)):  # kombu pushes left, pops right
            message = json.loads(raw)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            found.append((priority, *args))
    return found


def finished(log: str, task: str) -> int:
    """How many runs of ``task`` a worker log shows as succeeded."""
    import re

    return len(re.findall(rf"{re.escape(task)}\[[0-9a-f-]+\] succeeded in", log))


def activate(store, artifact) -> None:
    """Store a model artifact folder as a version and make it the active model."""
    from sb_worker.model.registry import pack

    store.models.store(artifact.name, pack(artifact), {})
    store.models.promote(artifact.name)


def assert_each_scored_once(settings, kinds: tuple[str, ...] = ("editor",)) -> None:
    """Every entity of ``kinds`` in MusicBrainz has exactly one score row (and no entity of any kind has two), at
    most one report each, and no scan failed."""
    in_mb = dict(zip(("editor", "edit"), query(settings.mb_dsn, "SELECT (SELECT count(*) FROM musicbrainz.editor), "
                                                                "(SELECT count(*) FROM musicbrainz.edit)")[0]))
    for kind in ("editor", "edit"):
        [(rows, distinct)] = query(settings.dsn, "SELECT count(*), count(DISTINCT entity_id) FROM score WHERE kind = %s",
                                   (kind,))
        assert rows == distinct and (kind not in kinds or rows == in_mb[kind]), (kind, rows, distinct, in_mb[kind])
    [(reports, distinct_reports)] = query(settings.dsn, "SELECT count(*), count(DISTINCT (kind, entity_id)) FROM report")
    assert reports == distinct_reports > 0
    assert query(settings.dsn, "SELECT count(*) FROM scan_error") == [(0,)]


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


@contextmanager
def gunicorn(settings, workers: int = 2, threads: int = 16) -> Iterator[int]:
    """The API served by gunicorn with ``settings`` (and no other SB_ variable), as deployed; yields its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | settings.to_env()
    api = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b",
                            f"127.0.0.1:{port}", "--log-level", "warning", "sb_worker.web.app:wsgi()"], env=env)
    try:
        wait_until(lambda: listening(port), 60, "gunicorn to listen")
        yield port
    finally:
        api.terminate()
        api.wait(30)
