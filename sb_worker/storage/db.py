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

#: How long one wait may last, by the patience a transaction asks for: "short" for the API's and the workers'
#: reads and writes (SB_DB_TIMEOUT_S), "long" for reading whole tables, as `sb enqueue` and backfills do
#: (SB_DB_LONG_TIMEOUT_S), "unlimited" for migrations. Process-wide, as psycopg2's wait callback is.
_limits: dict[str, float | None] = {"short": 10.0, "long": 600.0, "unlimited": None}


def set_timeouts(short: float, long: float) -> None:
    """Every wait for a database (connecting, a statement, a batch of a stream) lasts at most ``short`` seconds,
    or ``long`` in a transaction that reads whole tables; then the connection is dropped and the caller gets
    :class:`Unavailable`. The server also ends a statement that runs that long."""
    _limits.update(short=short, long=long)


class _NoAnswer(psycopg2.OperationalError):
    """The server did not answer within the transaction's limit (see ``_limits``)."""


class _Timed(psycopg2.extensions.connection):
    """A connection of :class:`Database`: its waits are limited, as its current transaction's ``patience`` says.
    Other connections in the process (building a sample database, a test's own queries) wait as long as it takes,
    as psycopg2's own do."""

    patience = "short"


def _wait(conn: psycopg2.extensions.connection) -> None:
    """psycopg2's wait callback: libpq runs non-blocking and this polls its socket, so a server that accepted the
    connection and then stopped answering (frozen, or behind a proxy that stopped forwarding) cannot hang a thread;
    signals (a task's soft time limit) are handled at once too."""
    limit = _limits[conn.patience] if isinstance(conn, _Timed) else None
    # A second more than the server's statement_timeout: a live server's own error comes first.
    deadline = time.monotonic() + limit + 1.0 if limit is not None else float("inf")
    while (state := conn.poll()) != psycopg2.extensions.POLL_OK:
        left = min(deadline - time.monotonic(), 3600.0)
        if left <= 0:
            raise _NoAnswer(f"no answer within {limit + 1.0:g} s (SB_DB_TIMEOUT_S + 1, or SB_DB_LONG_TIMEOUT_S + 1 "
                            f"for whole tables)")
        waiting = select.poll()  # anew each time: while connecting, libpq may move to another socket
        waiting.register(conn.fileno(), select.POLLIN if state == psycopg2.extensions.POLL_READ else select.POLLOUT)
        waiting.poll(left * 1000)


psycopg2.extensions.set_wait_callback(_wait)


class Database:
    """A lazily opened connection per thread (the API serves requests on threads), reopened after it breaks."""

    def __init__(self, dsn: str, name: str, readonly: bool = False, setting: str = ""):
        self.dsn = dsn
        self.name = name
        self.setting = setting  # the setting that names the database, for the messages
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
                    cur.execute("SET statement_timeout = %s", (_milliseconds(_limits["short"]),))
                conn.autocommit = False
            except _GONE as exc:
                if isinstance(exc, _NoAnswer):
                    self._silence.begin(_limits["short"])
                where = f" ({self.setting})" if self.setting else ""
                raise Unavailable(f"{self.name} unreachable{where}: {_first_line(exc)}", self.setting) from None
            if self.readonly:  # one consistent snapshot per read; the read-write store keeps the server's default
                # (READ COMMITTED), which also makes value()'s autocommit switch free of round trips
                conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            self._conn = conn
        return self._conn

    @contextmanager
    def transaction(self, patience: str = "short") -> Iterator[psycopg2.extras.RealDictCursor]:
        """A cursor in one transaction: committed on success, rolled back on any error. ``patience`` is "short",
        "long" (a read of whole tables) or "unlimited" (a migration, which may rebuild a large table)."""
        with self._guarded(patience) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            yield cur

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
        """Rows of a large query read in batches through a server-side cursor, inside one transaction with "long"
        patience."""
        with self._guarded("long") as conn, conn.cursor(name="sb_stream") as cur:
            cur.itersize = itersize
            cur.execute(query, params)
            yield iter(cur)

    @contextmanager
    def _guarded(self, patience: str = "short") -> Iterator[psycopg2.extensions.connection]:
        """The connection for one transaction with ``patience``: commit on success, roll back on error, Unavailable
        when gone."""
        if patience not in _limits:
            raise ValueError(f"patience must be one of {', '.join(_limits)}, got {patience!r}")
        self._silence.check()
        conn = self._connect()
        try:
            if patience != "short":
                conn.patience = patience
                with conn.cursor() as cur:
                    cur.execute("SET LOCAL statement_timeout = %s", (_milliseconds(_limits[patience]),))
            yield conn
            conn.commit()
        except _GONE as exc:
            self.close()
            if isinstance(exc, _NoAnswer):
                self._silence.begin(_limits[patience] or 0.0)
            raise Unavailable(f"{self.name} connection lost: {_first_line(exc)}", self.setting) from None
        except BaseException:
            if not conn.closed:
                try:
                    conn.rollback()
                except _GONE:
                    self.close()
            raise
        finally:
            conn.patience = "short"

    def close(self) -> None:
        """Close the connection; the next transaction opens a new one."""
        if self._conn is not None:
            try:
                self._conn.close()
            except _GONE:
                pass
            self._conn = None


def _milliseconds(limit: float | None) -> int:
    return 0 if limit is None else max(1, int(limit * 1000))  # 0: PostgreSQL's "no limit"


def iso(value: Any) -> Any:
    """A timestamp or date as ISO 8601 text; anything else as it is."""
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """A database row as JSON can carry it: timestamps become ISO 8601 strings."""
    return {k: iso(v) for k, v in row.items()}


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def like_escape(text: str) -> str:
    """``text`` for a LIKE pattern: its own % and _ (and the escape character) match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
