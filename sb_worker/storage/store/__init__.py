"""The SpamBrainz database: its migrations, and one repository a table group, over one connection."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from sb_worker.errors import ConfigError
from sb_worker.scoring.pipeline import Thresholds
from sb_worker.storage.db import Database
from sb_worker.storage.mb import Mark
from sb_worker.storage.store.access import Access
from sb_worker.storage.store.config import Config
from sb_worker.storage.store.labels import Labels
from sb_worker.storage.store.lists import Lists
from sb_worker.storage.store.marks import Marks
from sb_worker.storage.store.models import Models
from sb_worker.storage.store.reports import Report, Reports, Saved
from sb_worker.storage.store.verdicts import Verdicts

__all__ = ["Report", "Saved", "Store", "latest_version", "migrations"]


_MIGRATION = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
_MIGRATIONS_LOCK = 7_101_960  # pg_advisory_xact_lock key: one migrator at a time


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped, in order."""
    found = []
    for entry in resources.files("sb_worker.storage.migrations").iterdir():
        if m := _MIGRATION.fullmatch(entry.name):
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    """The schema version this code expects."""
    return migrations()[-1][0]


class Store:
    """Every read and write of the SpamBrainz database, by table group: ``config``, ``reports``, ``verdicts``,
    ``access``, ``models``, ``lists``, ``labels`` and ``marks``. What spans groups in one transaction is here."""

    def __init__(self, dsn: str, default_thresholds: Thresholds):
        self.db = Database(dsn, "SpamBrainz database", setting="SB_DSN")
        self.config = Config(self.db, default_thresholds)
        self.verdicts = Verdicts(self.db)
        self.reports = Reports(self.db, self.config, self.verdicts)
        self.access = Access(self.db)
        self.models = Models(self.db)
        self.lists = Lists(self.db)
        self.labels = Labels(self.db)
        self.marks = Marks(self.db)

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, in order, in one transaction; returns their file names."""
        applied = []
        with self.db.transaction("unlimited") as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATIONS_LOCK,))
            cur.execute("""CREATE TABLE IF NOT EXISTS schema_version (
                               version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                               applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
            cur.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version")
            current = cur.fetchone()["v"]
            for version, name, sql in migrations():
                if version > current:
                    cur.execute(sql)
                    cur.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)", (version, name))
                    applied.append(name)
        return applied

    def schema_version(self) -> int:
        """The version the database is at (0 when never migrated)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT to_regclass('schema_version') IS NOT NULL AS present")
            if not cur.fetchone()["present"]:
                return 0
            cur.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version")
            return cur.fetchone()["v"]

    def check_schema(self) -> None:
        """Raise :class:`ConfigError` unless the database is at the version this code expects."""
        have, want = self.schema_version(), latest_version()
        if have != want:
            raise ConfigError(f"the SpamBrainz database is at schema version {have}, this code needs {want}: "
                              "run `sb migrate`")

    def save_learning(self, version: str | None, artifact: bytes, metadata: dict[str, Any], promote: bool,
                      verdict_ids: list[int], label_ids: list[int]) -> None:
        """Store a candidate (unless ``version`` is None: nothing was learned), promote it if it passed, and mark
        the verdicts and labels it learned from: all or nothing."""
        with self.db.transaction() as cur:
            if version is not None:
                self.models.store(version, artifact, metadata, cur)
            if promote:
                self.models.promote(version, cur)
            self.verdicts.mark_applied(verdict_ids, cur)
            self.labels.mark_applied(label_ids, cur)

    def save_harvest(self, labels: list[dict[str, Any]], mark_name: str, mark: Mark | None) -> int:
        """Store harvested labels and, with the last of them, move the harvest's mark (``mark``) in the same
        transaction, so the mark never passes a label that was not stored. Returns how many labels were new."""
        with self.db.transaction() as cur:
            added = self.labels.add(labels, cur)
            if mark is not None:
                self.marks.set(mark_name, mark, cur)
        return added

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

