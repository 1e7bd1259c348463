"""PostgreSQL connections that turn "the database is gone" into :class:`Unavailable`, so tasks retry."""

from __future__ import annotations

import datetime as dt
import logging
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from sb_worker.errors import Silence, Unavailable

log = logging.getLogger(__name__)

# Errors that mean the server or the connection is gone, not that our SQL is wrong.
_GONE = (psycopg2.OperationalError, psycopg2.InterfaceError)

_timeout_s = 10.0
_unlimited = threading.local()  # .on: this thread's current transaction may take as long as it takes


def set_timeout(seconds: float) -> None:
    """Every wait for a database (connecting, each statement, each batch of a stream) lasts at most ``seconds``;
    then the connection is dropped and the caller gets :class:`Unavailable`. The server also ends a statement that
    runs that long. Process-wide, as psycopg2's wait callback is (``SB_DB_TIMEOUT_S``)."""
    global _timeout_s
    _timeout_s = seconds


class _NoAnswer(psycopg2.OperationalError):
    """The server did not answer within SB_DB_TIMEOUT_S."""


class _Timed(psycopg2.extensions.connection):
    """A connection of :class:`Database`: its waits are limited. Other connections in the process (building a
    sample database, a test's own queries) wait as long as it takes, as psycopg2's own do."""


def _wait(conn: psycopg2.extensions.connection) -> None:
    """psycopg2's wait callback: libpq runs non-blocking and this polls its socket, so a server that accepted the
    connection and then stopped answering (frozen, or behind a proxy that stopped forwarding) cannot hang a thread;
    signals (a task's soft time limit) are handled at once too."""
    limited = isinstance(conn, _Timed) and not getattr(_unlimited, "on", False)
    deadline = time.monotonic() + _timeout_s if limited else float("inf")
    while (state := conn.poll()) != psycopg2.extensions.POLL_OK:
        left = min(deadline - time.monotonic(), 3600.0)
        if left <= 0:
            raise _NoAnswer(f"no answer within {_timeout_s:g} s (SB_DB_TIMEOUT_S)")
        waiting = select.poll()  # anew each time: while connecting, libpq may move to another socket
        waiting.register(conn.fileno(), select.POLLIN if state == psycopg2.extensions.POLL_READ else select.POLLOUT)
        waiting.poll(left * 1000)


psycopg2.extensions.set_wait_callback(_wait)


class Database:
    """A lazily opened connection per thread (the API serves requests on threads), reopened after it breaks."""

    def __init__(self, dsn: str, name: str, readonly: bool = False):
        self.dsn = dsn
        self.name = name
        self.readonly = readonly
        self._local = threading.local()
        self._silence = Silence(name)  # shared by the threads

    @property
    def _conn(self) -> psycopg2.extensions.connection | None:
        return getattr(self._local, "conn", None)

    @_conn.setter
    def _conn(self, conn: psycopg2.extensions.connection | None) -> None:
        self._local.conn = conn

    def _connect(self) -> psycopg2.extensions.connection:
        if self._conn is None or self._conn.closed:
            try:
                conn = psycopg2.connect(self.dsn, connection_factory=_Timed, application_name="spambrainz",
                                        keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("SET statement_timeout = %s", (int(_timeout_s * 1000),))
                conn.autocommit = False
            except _GONE as exc:
                self._silent_if_hung(exc)
                raise Unavailable(f"{self.name} unreachable: {_first_line(exc)}") from None
            if self.readonly:  # one consistent snapshot per read; the read-write store keeps the server's default
                # (READ COMMITTED), which also makes value()'s autocommit switch free of round trips
                conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            self._conn = conn
        return self._conn

    @contextmanager
    def transaction(self, unlimited: bool = False) -> Iterator[psycopg2.extras.RealDictCursor]:
        """A cursor in one transaction: committed on success, rolled back on any error. ``unlimited``: free of
        SB_DB_TIMEOUT_S (a migration, which may rebuild a large table)."""
        _unlimited.on = unlimited
        try:
            with self._guarded() as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                if unlimited:
                    cur.execute("SET LOCAL statement_timeout = 0")
                yield cur
        finally:
            _unlimited.on = False

    def value(self, query: str, params: tuple | dict = ()) -> Any:
        """The first column of the first row (or None) of one read-only statement, sent without BEGIN and COMMIT:
        one round trip instead of three, for the API's hot reads."""
        with self._guarded() as conn:
            conn.autocommit = True
            try:
                with conn.cursor() as cur:
                    cur.execute(query, params)
                    row = cur.fetchone()
            finally:
                if not conn.closed:  # a server that did not answer: psycopg2 has closed it
                    conn.autocommit = False
        return row[0] if row else None

    @contextmanager
    def stream(self, query: str, params: tuple | dict = (), itersize: int = 10_000) -> Iterator[Iterator[tuple]]:
        """Rows of a large query read in batches through a server-side cursor, inside one transaction."""
        with self._guarded() as conn, conn.cursor(name="sb_stream") as cur:
            cur.itersize = itersize
            cur.execute(query, params)
            yield iter(cur)

    @contextmanager
    def _guarded(self) -> Iterator[psycopg2.extensions.connection]:
        """The connection for one transaction: commit on success, roll back on error, Unavailable when gone."""
        self._silence.check()
        conn = self._connect()
        try:
            yield conn
            conn.commit()
        except _GONE as exc:
            self.close()
            self._silent_if_hung(exc)
            raise Unavailable(f"{self.name} connection lost: {_first_line(exc)}") from None
        except BaseException:
            if not conn.closed:
                try:
                    conn.rollback()
                except _GONE:
                    self.close()
            raise

    def _silent_if_hung(self, exc: BaseException) -> None:
        if isinstance(exc, _NoAnswer):
            self._silence.begin(_timeout_s)

    def close(self) -> None:
        """Close the connection; the next transaction opens a new one."""
        if self._conn is not None:
            try:
                self._conn.close()
            except _GONE:
                pass
            self._conn = None


def iso(value: Any) -> Any:
    """A timestamp or date as ISO 8601 text; anything else as it is."""
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """A database row as JSON can carry it: timestamps become ISO 8601 strings."""
    return {k: iso(v) for k, v in row.items()}


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
