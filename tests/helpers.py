"""Small helpers shared by the tests."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg2
import pytest


def query(dsn: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one query, on a connection of its own."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``condition`` until it is truthy; fail the test naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
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
    from sb_worker.models import pack

    store.add_model(artifact.name, pack(artifact), {})
    store.activate_model(artifact.name)
