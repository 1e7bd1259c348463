"""The ninjas' allow and block lists (``list_entry``): live entries for the workers, and their audit."""

from __future__ import annotations

from typing import Any

from detectors.lists import LISTS, ListEntry, clean_value
from sb_worker.errors import BadInput
from sb_worker.storage.db import Database

_COLUMNS = "id, list, what, value, added_by, reason, added_at, removed_by, removed_reason, removed_at"


class Lists:
    """The ``list_entry`` table."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, name: str, what: str, value: str, ninja: str, reason: str) -> dict[str, Any]:
        """Add an entry (BadInput naming what is wrong: the list, the value, or that it is listed already)."""
        if name not in LISTS:
            raise BadInput("list must be \"block\" or \"allow\"")
        try:
            value = clean_value(what, value)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        with self.db.transaction() as cur:
            cur.execute(f"""INSERT INTO list_entry (list, what, value, added_by, reason) VALUES (%s, %s, %s, %s, %s)
                            ON CONFLICT (what, value) WHERE removed_at IS NULL DO NOTHING RETURNING {_COLUMNS}""",
                        (name, what, value, ninja, reason))
            added = cur.fetchone()
            if added is None:
                cur.execute("SELECT list FROM list_entry WHERE what = %s AND value = %s AND removed_at IS NULL",
                            (what, value))
                raise BadInput(f"{what.replace('_', ' ')} {value} is on the {cur.fetchone()['list']} list already")
            return dict(added)

    def remove(self, entry_id: int, ninja: str, reason: str) -> dict[str, Any]:
        """Take a live entry off its list (it stays in the audit)."""
        with self.db.transaction() as cur:
            cur.execute(f"""UPDATE list_entry SET removed_by = %s, removed_reason = %s, removed_at = now()
                            WHERE id = %s AND removed_at IS NULL RETURNING {_COLUMNS}""", (ninja, reason, entry_id))
            removed = cur.fetchone()
        if removed is None:
            raise BadInput(f"list entry {entry_id} does not exist or was removed already")
        return dict(removed)

    def entries(self) -> list[ListEntry]:
        """The live entries, for the detector."""
        with self.db.transaction() as cur:
            cur.execute("SELECT list, what, value, added_by, reason FROM list_entry WHERE removed_at IS NULL "
                        "ORDER BY id")
            return [ListEntry(**row) for row in cur.fetchall()]

    def stamp(self) -> tuple[int, int]:
        """Changes whenever an entry is added or removed: a worker compares it to know when to reload."""
        with self.db.transaction() as cur:
            cur.execute("SELECT coalesce(max(id), 0) AS last, count(removed_at) AS removed FROM list_entry")
            row = cur.fetchone()
            return row["last"], row["removed"]

    def audit(self, limit: int = 200) -> list[dict[str, Any]]:
        """Every entry, live or removed, newest first: who added or removed it, when and why."""
        with self.db.transaction() as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM list_entry ORDER BY id DESC LIMIT %s", (limit,))
            return [dict(row) for row in cur.fetchall()]
