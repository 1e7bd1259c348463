"""Model versions in the database: what workers score with. One of the two backends of
:class:`sb_worker.model.registry.Registry`; the other is a folder (SB_MODEL_DIR), for offline commands."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2.extras import Json

from sb_worker.errors import BadInput
from sb_worker.model.registry import Version, pack, unpack
from sb_worker.storage.db import Database


class Models:
    """The ``model_version`` table: packed artifacts with their status (candidate, active or retired)."""

    def __init__(self, db: Database):
        self.db = db
        self.where = "the SpamBrainz database"

    def add(self, directory: Path) -> tuple[str, bool]:
        """Store the artifact in ``directory`` as a candidate; returns its version and whether it was new. The
        artifact is loaded first, so what workers could not load is refused here."""
        from sb_worker.model.neural import NeuralModel

        model = NeuralModel.load(directory)
        info = json.loads((Path(directory) / "model.json").read_text(encoding="utf-8"))
        metadata = {k: info.get(k) for k in ("libraries", "metrics", "data_hash")}
        return model.version, self.store(model.version, pack(directory), metadata)

    def store(self, version: str, artifact: bytes, metadata: dict[str, Any], cur=None) -> bool:
        """Store a packed artifact as a candidate (in ``cur``'s transaction when given); False when that version is
        already stored."""
        if cur is None:
            with self.db.transaction() as cur:
                return self.store(version, artifact, metadata, cur)
        cur.execute("""INSERT INTO model_version (version, artifact, metadata) VALUES (%s, %s, %s)
                       ON CONFLICT (version) DO NOTHING RETURNING version""",
                    (version, psycopg2.Binary(artifact), Json(metadata)))
        return cur.fetchone() is not None

    def promote(self, version: str, cur=None) -> None:
        """Make ``version`` the active model (the previous one is retired), in ``cur``'s transaction when given;
        workers switch at their next check."""
        if cur is None:
            with self.db.transaction() as cur:
                return self.promote(version, cur)
        cur.execute("SELECT 1 FROM model_version WHERE version = %s", (version,))
        if cur.fetchone() is None:
            raise BadInput(f"no model version {version!r} is stored; see `sb model list`")
        cur.execute("UPDATE model_version SET status = 'retired' WHERE status = 'active' AND version <> %s", (version,))
        cur.execute("UPDATE model_version SET status = 'active', promoted_at = now() WHERE version = %s", (version,))

    def rollback(self) -> str:
        """Make the version that was active before the current one active again; returns it."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT version FROM model_version WHERE status = 'retired' AND promoted_at IS NOT NULL
                           ORDER BY promoted_at DESC LIMIT 1""")
            row = cur.fetchone()
            if row is None:
                raise BadInput("there is no earlier active model version to roll back to")
            self.promote(row["version"], cur)
        return row["version"]

    def active(self) -> str | None:
        """The active model version, or None (score with the heuristic weights)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT version FROM model_version WHERE status = 'active'")
            row = cur.fetchone()
        return row["version"] if row else None

    def artifact(self, version: str) -> bytes:
        """A stored version's packed artifact."""
        with self.db.transaction() as cur:
            cur.execute("SELECT artifact FROM model_version WHERE version = %s", (version,))
            row = cur.fetchone()
        if row is None:
            raise BadInput(f"no model version {version!r} is stored")
        return bytes(row["artifact"])

    def load(self, version: str):
        """A stored version, loaded in full (its unpacked files are not kept)."""
        from sb_worker.model.neural import NeuralModel

        with tempfile.TemporaryDirectory(prefix="sb-model-") as tmp:
            return NeuralModel.load(unpack(self.artifact(version), Path(tmp)))

    def list(self) -> list[Version]:
        """Every stored version, newest first."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT version, status, created_at, promoted_at, metadata->'metrics' AS metrics
                           FROM model_version ORDER BY created_at DESC""")
            return [Version(**row) for row in cur.fetchall()]
