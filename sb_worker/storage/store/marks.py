"""How far `sb enqueue` has read each source, and the resumable state of backfills."""

from __future__ import annotations

from typing import Any

from sb_worker.storage.db import Database
from sb_worker.storage.mb import Mark


class Marks:
    """The ``scan_mark`` and ``backfill`` tables."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, kind: str) -> Mark:
        """Where `sb enqueue` stopped for ``kind`` (the start when never run)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT last_id, last_time FROM scan_mark WHERE kind = %s", (kind,))
            row = cur.fetchone()
        return Mark(row["last_id"], row["last_time"]) if row else Mark()

    def set(self, kind: str, mark: Mark, cur=None) -> None:
        """Record how far `sb enqueue` has read ``kind`` (in ``cur``'s transaction when given)."""
        if cur is None:
            with self.db.transaction() as cur:
                return self.set(kind, mark, cur)
        cur.execute("""INSERT INTO scan_mark (kind, last_id, last_time) VALUES (%s, %s, %s)
                       ON CONFLICT (kind) DO UPDATE
                       SET last_id = EXCLUDED.last_id, last_time = EXCLUDED.last_time, updated_at = now()""",
                    (kind, mark.last_id, mark.last_time))

    def backfill(self, kind: str) -> dict[str, Any] | None:
        """The unfinished backfill of ``kind``, or None."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT kind, started_at, upto_id, upto_time, last_id, queued FROM backfill
                           WHERE kind = %s AND finished_at IS NULL""", (kind,))
            row = cur.fetchone()
        return dict(row) if row else None

    def start_backfill(self, kind: str, upto: Mark) -> dict[str, Any]:
        """Begin a backfill of every ``kind`` up to ``upto`` (replacing any earlier one)."""
        with self.db.transaction() as cur:
            cur.execute("""INSERT INTO backfill (kind, upto_id, upto_time) VALUES (%s, %s, %s)
                           ON CONFLICT (kind) DO UPDATE SET started_at = now(), upto_id = EXCLUDED.upto_id,
                             upto_time = EXCLUDED.upto_time, last_id = 0, queued = 0, finished_at = NULL""",
                        (kind, upto.last_id, upto.last_time))
        return self.backfill(kind)

    def advance_backfill(self, kind: str, last_id: int, count: int) -> None:
        """Record a chunk queued: the backfill resumes after ``last_id``."""
        with self.db.transaction() as cur:
            cur.execute("UPDATE backfill SET last_id = %s, queued = queued + %s WHERE kind = %s",
                        (last_id, count, kind))

    def finish_backfill(self, kind: str) -> None:
        """Close the backfill and start cron after it, in one transaction."""
        with self.db.transaction() as cur:
            cur.execute("""UPDATE backfill SET finished_at = now() WHERE kind = %s AND finished_at IS NULL
                           RETURNING upto_id, upto_time""", (kind,))
            row = cur.fetchone()
            if row is not None:
                self.set(kind, Mark(row["upto_id"], row["upto_time"]), cur)
