"""PostgreSQL connections that turn "the database is gone" into :class:`Unavailable`, so tasks retry."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from sb_worker.errors import Unavailable

log = logging.getLogger(__name__)

# Errors that mean the server or the connection is gone, not that our SQL is wrong.
_GONE = (psycopg2.OperationalError, psycopg2.InterfaceError)


class Database:
    """A lazily opened connection per thread (the API serves requests on threads), reopened after it breaks."""

    def __init__(self, dsn: str, name: str, readonly: bool = False):
        self.dsn = dsn
        self.name = name
        self.readonly = readonly
        self._local = threading.local()

    @property
    def _conn(self) -> psycopg2.extensions.connection | None:
        return getattr(self._local, "conn", None)

    @_conn.setter
    def _conn(self, conn: psycopg2.extensions.connection | None) -> None:
        self._local.conn = conn

    def _connect(self) -> psycopg2.extensions.connection:
        if self._conn is None or self._conn.closed:
            try:
                conn = psycopg2.connect(self.dsn, connect_timeout=10, application_name="spambrainz")
            except _GONE as exc:
                raise Unavailable(f"{self.name} unreachable: {_first_line(exc)}") from None
            if self.readonly:  # one consistent snapshot per read; the read-write store keeps the server's default
                # (READ COMMITTED), which also makes value()'s autocommit switch free of round trips
                conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            self._conn = conn
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg2.extras.RealDictCursor]:
        """A cursor in one transaction: committed on success, rolled back on any error."""
        with self._guarded() as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
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
                conn.autocommit = False
        return row[0] if row else None

    @contextmanager
    def stream(self, query: str, params: tuple = (), itersize: int = 10_000) -> Iterator[Iterator[tuple]]:
        """Rows of a large query read in batches through a server-side cursor, inside one transaction."""
        with self._guarded() as conn, conn.cursor(name="sb_stream") as cur:
            cur.itersize = itersize
            cur.execute(query, params)
            yield iter(cur)

    @contextmanager
    def _guarded(self) -> Iterator[psycopg2.extensions.connection]:
        """The connection for one transaction: commit on success, roll back on error, Unavailable when gone."""
        conn = self._connect()
        try:
            yield conn
            conn.commit()
        except _GONE as exc:
            self.close()
            raise Unavailable(f"{self.name} connection lost: {_first_line(exc)}") from None
        except BaseException:
            if not conn.closed:
                try:
                    conn.rollback()
                except _GONE:
                    self.close()
            raise

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
