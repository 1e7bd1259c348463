"""The SpamBrainz database: migrations, scores, reports, marks, thresholds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any, NamedTuple

import psycopg2
from psycopg2.extras import Json, execute_values

from sb_worker.db import Database
from sb_worker.errors import BadInput, ConfigError
from sb_worker.mb import Mark
from sb_worker.pipeline import RecordError, Score, Thresholds


class Saved(NamedTuple):
    """What storing one chunk did."""

    undelivered: list[int]   # this chunk's open reports not yet delivered
    created: int             # reports opened by this chunk

_MIGRATION = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
_MIGRATIONS_LOCK = 7_101_960  # pg_advisory_xact_lock key: one migrator at a time


_REPORT_COLUMNS = "id, kind, entity_id, score, reasons, model_version, action, status, created_at, updated_at"
_APPEAL_COLUMNS = "id, report_id, editor_id, message, submitted_by, status, created_at, decided_at, decided_by"


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped, in order."""
    found = []
    for entry in resources.files("sb_worker.migrations").iterdir():
        if m := _MIGRATION.fullmatch(entry.name):
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    """The schema version this code expects."""
    return migrations()[-1][0]


@dataclass(frozen=True)
class Report:
    """A report as stored, for delivery."""

    id: int
    kind: str
    entity_id: int
    score: int
    reasons: list[dict[str, Any]]
    model_version: str
    action: str
    created_at: str

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON object for sinks."""
        return asdict(self)


class Store:
    """All reads and writes of the SpamBrainz database."""

    def __init__(self, dsn: str, default_thresholds: Thresholds):
        self.db = Database(dsn, "SpamBrainz database")
        self.default_thresholds = default_thresholds

    # -- schema -------------------------------------------------------------------------------------------------
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

    # -- thresholds -----------------------------------------------------------------------------------------------
    def thresholds(self, cur=None) -> Thresholds:
        """The thresholds in force: the stored ones, else the settings' defaults."""
        return self.threshold_settings(cur)[0]

    def threshold_settings(self, cur=None) -> tuple[Thresholds, bool]:
        """The thresholds in force and whether automatic action is switched on, from one query (in ``cur``'s
        transaction when given)."""
        query = "SELECT json_object_agg(key, value) FROM setting WHERE key IN ('thresholds', 'automatic_action')"
        if cur is None:
            stored = self.db.value(query) or {}
        else:
            cur.execute(query)
            stored = next(iter(cur.fetchone().values())) or {}
        thresholds = stored.get("thresholds")
        review = thresholds["review"] if thresholds else self.default_thresholds.review
        auto = thresholds.get("auto") if thresholds else self.default_thresholds.auto
        enabled = bool(stored.get("automatic_action", {}).get("enabled", True))
        # one switch turns every automatic action off, whatever the threshold says
        return Thresholds(review=review, auto=auto if enabled else None), enabled

    def set_automatic_action(self, enabled: bool) -> None:
        """Switch every automatic action on or off at once."""
        with self.db.transaction() as cur:
            cur.execute("""INSERT INTO setting (key, value) VALUES ('automatic_action', %s)
                           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()""",
                        (Json({"enabled": enabled}),))

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """Store new thresholds; running workers use them from their next chunk on."""
        value = {"review": thresholds.review, "auto": thresholds.auto}
        with self.db.transaction() as cur:
            cur.execute("""INSERT INTO setting (key, value) VALUES ('thresholds', %s)
                           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()""",
                        (Json(value),))

    # -- scans -----------------------------------------------------------------------------------------------------
    def save_scan(self, scores: Sequence[Score], errors: Sequence[RecordError],
                  fingerprints: Mapping[tuple[str, int], str] | None = None) -> Saved:
        """Store scores, open or update reports and record errors, in one transaction.

        ``fingerprints`` ((kind, account ID) to :func:`profile_fingerprint`) lets trusted accounts whose profile has not
        changed since they were trusted be scored without being reported. Returns the IDs of this chunk's open
        reports not yet delivered (new ones, or ones whose delivery a crash interrupted), so the caller can queue
        their delivery, and how many reports it opened. Running it twice changes nothing.
        """
        with self.db.transaction() as cur:
            thresholds = self.thresholds(cur)
            trusted = self._still_trusted(cur, fingerprints or {})
            if scores:
                execute_values(cur, """
                    INSERT INTO score (kind, entity_id, model_version, score, reasons) VALUES %s
                    ON CONFLICT (kind, entity_id, model_version) DO UPDATE
                    SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, scanned_at = now()""",
                    [(s.kind, s.entity_id, s.model_version, s.score, Json(s.reasons_json())) for s in scores])
                cur.execute("DELETE FROM scan_error WHERE (kind, entity) IN (SELECT * FROM unnest(%s, %s))",
                            ([s.kind for s in scores], [str(s.entity_id) for s in scores]))
            flagged = [(s, action) for s in scores if (action := thresholds.action(s.score)) != "none"
                       and (s.kind, s.entity_id) not in trusted]
            if flagged:
                # A rescan updates the open report only when something changed, so a duplicate scan is a no-op.
                inserted = execute_values(cur, """
                    INSERT INTO report (kind, entity_id, score, reasons, model_version, action) VALUES %s
                    ON CONFLICT (kind, entity_id) WHERE status = 'open' DO UPDATE
                    SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, model_version = EXCLUDED.model_version,
                        action = EXCLUDED.action, updated_at = now()
                    WHERE (report.score, report.reasons, report.model_version, report.action)
                          IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.reasons, EXCLUDED.model_version, EXCLUDED.action)
                    RETURNING xmax = 0""",  # true for a row inserted, false for one updated
                    [(s.kind, s.entity_id, s.score, Json(s.reasons_json()), s.model_version, a) for s, a in flagged],
                    fetch=True)
                created = sum(1 for row in inserted if next(iter(row.values())))
                cur.execute("""SELECT id FROM report WHERE status = 'open' AND delivered_at IS NULL
                               AND (kind, entity_id) IN (SELECT * FROM unnest(%s::text[], %s::bigint[]))
                               ORDER BY id""",
                            ([s.kind for s, _ in flagged], [s.entity_id for s, _ in flagged]))
                undelivered = [row["id"] for row in cur.fetchall()]
            else:
                undelivered, created = [], 0
            if errors:
                execute_values(cur, """
                    INSERT INTO scan_error (kind, entity, error) VALUES %s
                    ON CONFLICT (kind, entity) DO UPDATE SET error = EXCLUDED.error, last_seen = now()""",
                    sorted({(e.kind, e.entity[:200], e.error) for e in errors}))
        return Saved(undelivered, created)

    # -- trusted accounts ----------------------------------------------------------------------------------------
    def _still_trusted(self, cur, fingerprints: Mapping[tuple[str, int], str]) -> set[tuple[str, int]]:
        """The accounts among ``fingerprints`` trusted with exactly that fingerprint (profile unchanged since)."""
        if not fingerprints:
            return set()
        cur.execute("""SELECT kind, editor_id, fingerprint FROM trusted_account
                       WHERE (kind, editor_id) IN (SELECT * FROM unnest(%s::text[], %s::bigint[]))
                         AND revoked_at IS NULL""", ([k for k, _ in fingerprints], [i for _, i in fingerprints]))
        return {key for row in cur.fetchall()
                if row["fingerprint"] == fingerprints[key := (row["kind"], row["editor_id"])]}

    def trust(self, kind: str, editor_id: int, fingerprint: str, ninja: str, report_id: int | None) -> None:
        """Trust an account of source ``kind`` with its current profile (again, if it was trusted or revoked)."""
        with self.db.transaction() as cur:
            cur.execute("""INSERT INTO trusted_account (kind, editor_id, fingerprint, trusted_by, report_id)
                           VALUES (%s, %s, %s, %s, %s)
                           ON CONFLICT (kind, editor_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
                             trusted_by = EXCLUDED.trusted_by, report_id = EXCLUDED.report_id, created_at = now(),
                             revoked_at = NULL, revoked_by = NULL""", (kind, editor_id, fingerprint, ninja, report_id))

    def revoke_trust(self, kind: str, editor_id: int, ninja: str) -> bool:
        """End the trust in an account; False when it was not trusted."""
        with self.db.transaction() as cur:
            cur.execute("""UPDATE trusted_account SET revoked_at = now(), revoked_by = %s
                           WHERE kind = %s AND editor_id = %s AND revoked_at IS NULL""", (ninja, kind, editor_id))
            return cur.rowcount == 1

    def trusted_json(self) -> str:
        """Every account trusted now, newest first, as JSON text."""
        return self.db.value("""SELECT coalesce(json_agg(t ORDER BY t.created_at DESC), '[]')::text FROM (
                                  SELECT kind, editor_id, trusted_by, report_id, created_at FROM trusted_account
                                  WHERE revoked_at IS NULL) t""")

    def trusted_ids(self, kind: str, editor_ids: Sequence[int]) -> set[int]:
        """Which of ``editor_ids`` (accounts of source ``kind``) are trusted now (whatever their profile)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT editor_id FROM trusted_account
                           WHERE kind = %s AND editor_id = ANY(%s) AND revoked_at IS NULL""", (kind, list(editor_ids)))
            return {row["editor_id"] for row in cur.fetchall()}

    # -- appeals ------------------------------------------------------------------------------------------------
    def add_appeal(self, editor_id: int, message: str, submitted_by: str) -> dict[str, Any]:
        """Appeal the latest automatic action on an account's own reports; one open appeal per report (asking
        again returns the open one). BadInput when no automatic action was taken on the account."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id FROM report WHERE kind = 'editor' AND entity_id = %s AND action = 'auto'
                           ORDER BY id DESC LIMIT 1 FOR UPDATE""", (editor_id,))
            row = cur.fetchone()
            if row is None:
                raise BadInput(f"no automatic action was taken on editor {editor_id}: only that can be appealed")
            cur.execute("""INSERT INTO appeal (report_id, editor_id, message, submitted_by) VALUES (%s, %s, %s, %s)
                           ON CONFLICT (report_id) WHERE status = 'open' DO NOTHING RETURNING id""",
                        (row["id"], editor_id, message, submitted_by))
            cur.execute(f"SELECT {_APPEAL_COLUMNS} FROM appeal WHERE report_id = %s AND status = 'open'", (row["id"],))
            return dict(cur.fetchone())

    def decide_appeal(self, appeal_id: int, upheld: bool, ninja: str) -> dict[str, Any]:
        """Close an open appeal; BadInput when there is no open appeal with that ID."""
        with self.db.transaction() as cur:
            cur.execute(f"""UPDATE appeal SET status = %s, decided_at = now(), decided_by = %s
                            WHERE id = %s AND status = 'open' RETURNING {_APPEAL_COLUMNS}""",
                        ("upheld" if upheld else "rejected", ninja, appeal_id))
            row = cur.fetchone()
        if row is None:
            raise BadInput(f"there is no open appeal {appeal_id}")
        return dict(row)

    def appeals_json(self, status: str | None) -> str:
        """Appeals (open ones first by age), with the appealed report's score and reasons, as JSON text."""
        return self.db.value(f"""
            SELECT coalesce(json_agg(a ORDER BY a.status <> 'open', a.created_at), '[]')::text FROM (
              SELECT {', '.join('a.' + c.strip() for c in _APPEAL_COLUMNS.split(','))}, r.score, r.reasons
              FROM appeal a JOIN report r ON r.id = a.report_id
              WHERE %(status)s IS NULL OR a.status = %(status)s) a""", {"status": status})

    # -- enqueue marks -------------------------------------------------------------------------------------------
    def mark(self, kind: str) -> Mark:
        """Where `sb enqueue` stopped for ``kind`` (the start when never run)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT last_id, last_time FROM scan_mark WHERE kind = %s", (kind,))
            row = cur.fetchone()
        return Mark(row["last_id"], row["last_time"]) if row else Mark()

    def set_mark(self, kind: str, mark: Mark, cur=None) -> None:
        """Record how far `sb enqueue` has read ``kind`` (in ``cur``'s transaction when given)."""
        if cur is None:
            with self.db.transaction() as cur:
                return self.set_mark(kind, mark, cur)
        cur.execute("""INSERT INTO scan_mark (kind, last_id, last_time) VALUES (%s, %s, %s)
                       ON CONFLICT (kind) DO UPDATE
                       SET last_id = EXCLUDED.last_id, last_time = EXCLUDED.last_time, updated_at = now()""",
                    (kind, mark.last_id, mark.last_time))

    @contextmanager
    def scanned(self, kind: str) -> Iterator[Iterator[tuple[int, Any]]]:
        """(entity ID, time of its latest score or scan error) for every entity of ``kind`` scanned, in ID order,
        streamed."""
        with self.db.stream("""SELECT entity_id, max(at) FROM (
                                   SELECT entity_id, scanned_at AS at FROM score WHERE kind = %(kind)s
                                   UNION ALL
                                   SELECT entity::bigint, last_seen FROM scan_error
                                   WHERE kind = %(kind)s AND entity ~ '^[0-9]{1,18}$') AS scanned
                               GROUP BY entity_id ORDER BY entity_id""", {"kind": kind}) as rows:
            yield (tuple(row) for row in rows)

    # -- backfills -----------------------------------------------------------------------------------------------
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
                self.set_mark(kind, Mark(row["upto_id"], row["upto_time"]), cur)

    # -- delivery --------------------------------------------------------------------------------------------------
    def report(self, report_id: int) -> Report:
        """One report; :class:`BadInput` when there is none with that ID."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id, kind, entity_id, score, reasons, model_version, action, created_at
                           FROM report WHERE id = %s""", (report_id,))
            row = cur.fetchone()
        if row is None:
            raise BadInput(f"report {report_id} does not exist")
        return Report(**{**row, "created_at": row["created_at"].isoformat()})

    def delivered_sinks(self, report_id: int) -> set[str]:
        """The sinks that already have this report."""
        with self.db.transaction() as cur:
            cur.execute("SELECT sink FROM report_delivery WHERE report_id = %s", (report_id,))
            return {row["sink"] for row in cur.fetchall()}

    def mark_delivered(self, report_id: int, sink: str | None) -> None:
        """Record a delivery to one sink, or (``sink=None``) that every sink has the report."""
        with self.db.transaction() as cur:
            if sink is None:
                cur.execute("UPDATE report SET delivered_at = now() WHERE id = %s AND delivered_at IS NULL",
                            (report_id,))
            else:
                cur.execute("""INSERT INTO report_delivery (report_id, sink) VALUES (%s, %s)
                               ON CONFLICT DO NOTHING""", (report_id, sink))

    # -- model versions ----------------------------------------------------------------------------------------
    def add_model(self, version: str, artifact: bytes, metadata: dict[str, Any]) -> bool:
        """Store a model version (a candidate); False when that version is already stored."""
        with self.db.transaction() as cur:
            cur.execute("""INSERT INTO model_version (version, artifact, metadata) VALUES (%s, %s, %s)
                           ON CONFLICT (version) DO NOTHING RETURNING version""",
                        (version, psycopg2.Binary(artifact), Json(metadata)))
            return cur.fetchone() is not None

    def activate_model(self, version: str) -> None:
        """Make ``version`` the active model (the previous one is retired); workers switch at their next check."""
        with self.db.transaction() as cur:
            cur.execute("SELECT 1 FROM model_version WHERE version = %s", (version,))
            if cur.fetchone() is None:
                raise BadInput(f"no model version {version!r} is stored; see `sb model list`")
            cur.execute("UPDATE model_version SET status = 'retired' WHERE status = 'active' AND version <> %s",
                        (version,))
            cur.execute("UPDATE model_version SET status = 'active', promoted_at = now() WHERE version = %s",
                        (version,))

    def rollback_model(self) -> str:
        """Reactivate the version that was active before the current one; returns it."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT version FROM model_version WHERE status = 'retired' AND promoted_at IS NOT NULL
                           ORDER BY promoted_at DESC LIMIT 1""")
            row = cur.fetchone()
        if row is None:
            raise BadInput("there is no earlier active model version to roll back to")
        self.activate_model(row["version"])
        return row["version"]

    def active_model(self) -> str | None:
        """The active model version, or None (score with the heuristic weights)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT version FROM model_version WHERE status = 'active'")
            row = cur.fetchone()
        return row["version"] if row else None

    def model_artifact(self, version: str) -> bytes:
        """A stored version's packed artifact."""
        with self.db.transaction() as cur:
            cur.execute("SELECT artifact FROM model_version WHERE version = %s", (version,))
            row = cur.fetchone()
        if row is None:
            raise BadInput(f"no model version {version!r} is stored")
        return bytes(row["artifact"])

    def models(self) -> list[dict[str, Any]]:
        """Every stored version, newest first."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT version, status, created_at, promoted_at, metadata->'metrics' AS metrics
                           FROM model_version ORDER BY created_at DESC""")
            return [dict(row) for row in cur.fetchall()]

    # -- API tokens --------------------------------------------------------------------------------------------
    def add_token(self, name: str, token_hash: bytes, scopes: Sequence[str]) -> int:
        """Store a token's hash (never the token); returns its ID."""
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO api_token (name, token_hash, scopes) VALUES (%s, %s, %s) RETURNING id",
                        (name, psycopg2.Binary(token_hash), list(scopes)))
            return cur.fetchone()["id"]

    def token(self, token_hash: bytes) -> dict[str, Any] | None:
        """The live token with this hash, or None."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id, name, token_hash, scopes FROM api_token
                           WHERE token_hash = %s AND revoked_at IS NULL""", (psycopg2.Binary(token_hash),))
            row = cur.fetchone()
        return {**row, "token_hash": bytes(row["token_hash"])} if row else None

    # -- review page sessions ------------------------------------------------------------------------------------
    def add_session(self, id_hash: bytes, token_id: int, csrf: str, hours: float) -> None:
        """Remember a signed-in review session (by the hash of its cookie) and forget expired ones."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM review_session WHERE expires_at < now()")
            cur.execute("""INSERT INTO review_session (id_hash, token_id, csrf, expires_at)
                           VALUES (%s, %s, %s, now() + %s * interval '1 hour')""",
                        (psycopg2.Binary(id_hash), token_id, csrf, hours))

    def session(self, id_hash: bytes) -> dict[str, Any] | None:
        """A live session (its token's name and scopes, its CSRF secret), or None when expired, unknown or revoked."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT t.name, t.scopes, s.csrf FROM review_session s JOIN api_token t ON t.id = s.token_id
                           WHERE s.id_hash = %s AND s.expires_at > now() AND t.revoked_at IS NULL""",
                        (psycopg2.Binary(id_hash),))
            row = cur.fetchone()
        return dict(row) if row else None

    def end_session(self, id_hash: bytes) -> None:
        """Sign a review session out."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM review_session WHERE id_hash = %s", (psycopg2.Binary(id_hash),))

    def revoke_token(self, token_id: int) -> bool:
        """Revoke a token; False when there is no live token with that ID."""
        with self.db.transaction() as cur:
            cur.execute("UPDATE api_token SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (token_id,))
            return cur.rowcount == 1

    def tokens(self) -> list[dict[str, Any]]:
        """Every token (without its hash)."""
        with self.db.transaction() as cur:
            cur.execute("SELECT id, name, scopes, created_at, revoked_at FROM api_token ORDER BY id")
            return [dict(row) for row in cur.fetchall()]

    # -- verdicts ----------------------------------------------------------------------------------------------
    def add_verdict(self, report_id: int, verdict: str, ninja: str, note: str) -> dict[str, Any]:
        """Record a ninja's verdict and close the report accordingly, in one transaction (the latest verdict wins).

        The same verdict, ninja and note as the report's latest event is a repeated request (a client's retry, a
        double click), not a changed mind: it returns that event and writes nothing. Concurrent verdicts on one
        report are taken one at a time, so two copies of one request at once also make one event."""
        with self.db.transaction() as cur:
            cur.execute("SELECT id FROM report WHERE id = %s FOR UPDATE", (report_id,))
            if cur.fetchone() is None:
                raise BadInput(f"report {report_id} does not exist")
            cur.execute("""SELECT id, report_id, verdict, ninja, note, created_at FROM verdict WHERE report_id = %s
                           ORDER BY id DESC LIMIT 1""", (report_id,))
            latest = cur.fetchone()
            if latest and (latest["verdict"], latest["ninja"], latest["note"]) == (verdict, ninja, note):
                return dict(latest)
            cur.execute("UPDATE report SET status = %s, updated_at = now() WHERE id = %s", (verdict, report_id))
            cur.execute("""INSERT INTO verdict (report_id, verdict, ninja, note) VALUES (%s, %s, %s, %s)
                           RETURNING id, report_id, verdict, ninja, note, created_at""",
                        (report_id, verdict, ninja, note))
            return dict(cur.fetchone())

    def unapplied_verdicts(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Verdicts the trainer has not applied yet, oldest first (the queue may lose messages; this table not)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT v.id, v.report_id, v.verdict, r.kind, r.entity_id FROM verdict v
                           JOIN report r ON r.id = v.report_id WHERE v.applied_at IS NULL ORDER BY v.id LIMIT %s""",
                        (limit,))
            return [dict(row) for row in cur.fetchall()]

    def oldest_unapplied_age_s(self) -> float:
        """How long the oldest unapplied verdict has waited, in seconds (0 when none waits)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age FROM verdict
                           WHERE applied_at IS NULL""")
            return float(cur.fetchone()["age"])

    def save_learning(self, version: str, artifact: bytes, metadata: dict[str, Any], promote: bool,
                      verdict_ids: list[int]) -> None:
        """Store a candidate, promote it if it passed, and mark the verdicts it learned from: all or nothing."""
        with self.db.transaction() as cur:
            cur.execute("""INSERT INTO model_version (version, artifact, metadata) VALUES (%s, %s, %s)
                           ON CONFLICT (version) DO NOTHING""", (version, psycopg2.Binary(artifact), Json(metadata)))
            if promote:
                cur.execute("UPDATE model_version SET status = 'retired' WHERE status = 'active' AND version <> %s",
                            (version,))
                cur.execute("UPDATE model_version SET status = 'active', promoted_at = now() WHERE version = %s",
                            (version,))
            self.mark_applied(verdict_ids, cur)

    def mark_applied(self, verdict_ids: list[int], cur=None) -> None:
        """Mark verdicts applied (in ``cur``'s transaction when given): by the model that learned from them, or
        with none when no model learns from them (all on sources the network does not score)."""
        if cur is None:
            with self.db.transaction() as cur:
                return self.mark_applied(verdict_ids, cur)
        cur.execute("UPDATE verdict SET applied_at = now() WHERE id = ANY(%s) AND applied_at IS NULL", (verdict_ids,))

    def judged_reports(self, days: float | None = None) -> list[dict[str, Any]]:
        """Reports with their latest verdict (given in the last ``days`` when set): what precision is measured on."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT * FROM (SELECT DISTINCT ON (r.id) r.id, r.score, r.reasons, v.verdict, v.created_at
                                          FROM report r JOIN verdict v ON v.report_id = r.id ORDER BY r.id, v.id DESC) j
                           WHERE %(days)s IS NULL OR created_at > now() - %(days)s * interval '1 day'""",
                        {"days": days})
            return [dict(row) for row in cur.fetchall()]

    # -- reading back -------------------------------------------------------------------------------------------
    def latest_score_json(self, kind: str, entity_id: int) -> str | None:
        """The most recent score of one entity, whichever scorer gave it, as JSON text (None when never scored).
        PostgreSQL renders the API's JSON reads itself: parsing rows into Python only to serialise them again
        cost more than the queries."""
        return self.db.value("""SELECT row_to_json(s)::text FROM (
                                  SELECT kind, entity_id, score, reasons, model_version, scanned_at,
                                         EXISTS (SELECT 1 FROM trusted_account t WHERE t.kind = score.kind
                                           AND t.editor_id = score.entity_id AND t.revoked_at IS NULL) AS trusted
                                  FROM score WHERE kind = %s AND entity_id = %s ORDER BY scanned_at DESC LIMIT 1) s""",
                             (kind, entity_id))

    def reports_json(self, status: str | None, min_score: float, max_score: float, page: int, per_page: int,
                     detector: str | None = None) -> str:
        """A page of reports, highest score first, with how many match in all, as JSON text. ``detector`` keeps
        the reports that detector gave a reason for."""
        where = "score BETWEEN %(low)s AND %(high)s" + (" AND status = %(status)s" if status else "") + (
            " AND reasons @> %(detector)s" if detector else "")
        return self.db.value(f"""
            SELECT json_build_object('reports', coalesce(json_agg(r ORDER BY r.score DESC, r.id), '[]'),
                                     'page', %(page)s, 'per_page', %(per_page)s,
                                     'total', (SELECT count(*) FROM report WHERE {where}))::text
            FROM (SELECT {_REPORT_COLUMNS} FROM report WHERE {where}
                  ORDER BY score DESC, id LIMIT %(limit)s OFFSET %(offset)s) r""",
                             {"low": min_score, "high": max_score, "status": status, "page": page,
                              "per_page": per_page, "limit": per_page, "offset": (page - 1) * per_page,
                              "detector": Json([{"detector": detector}])})

    def report_json(self, report_id: int) -> str | None:
        """One report with its verdict history, oldest first, as JSON text (None when there is no such report)."""
        return self.db.value(f"""
            SELECT row_to_json(r)::text FROM (
              SELECT {_REPORT_COLUMNS},
                     coalesce((SELECT json_agg(json_build_object('verdict', verdict, 'ninja', ninja, 'note', note,
                                                                 'created_at', created_at) ORDER BY id)
                               FROM verdict WHERE report_id = report.id), '[]') AS verdicts
              FROM report WHERE id = %s) r""", (report_id,))

    def add_scan_request(self, editors: list[int], edits: list[int], errors: list[dict[str, str]]) -> int:
        """Remember a scan asked for through the API; returns its ID."""
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO scan_request (editors, edits, errors) VALUES (%s, %s, %s) RETURNING id",
                        (editors, edits, Json(errors)))
            return cur.fetchone()["id"]

    def scan_progress(self, scan_id: int) -> dict[str, Any] | None:
        """How far a requested scan has come: entities scored (or failed) since it was asked for."""
        with self.db.transaction() as cur:
            cur.execute("SELECT id, requested_at, editors, edits, errors FROM scan_request WHERE id = %s", (scan_id,))
            scan = cur.fetchone()
            if scan is None:
                return None
            cur.execute("""SELECT count(DISTINCT (kind, entity_id)) AS n FROM score
                           WHERE scanned_at >= %(at)s AND ((kind = 'editor' AND entity_id = ANY(%(editors)s))
                                                        OR (kind = 'edit' AND entity_id = ANY(%(edits)s)))""",
                        {"at": scan["requested_at"], "editors": scan["editors"], "edits": scan["edits"]})
            scored = cur.fetchone()["n"]
            cur.execute("""SELECT count(*) AS n FROM scan_error WHERE last_seen >= %(at)s
                           AND ((kind = 'editor' AND entity = ANY(%(editors)s))
                             OR (kind = 'edit' AND entity = ANY(%(edits)s)))""",
                        {"at": scan["requested_at"], "editors": [str(i) for i in scan["editors"]],
                         "edits": [str(i) for i in scan["edits"]]})
            failed = cur.fetchone()["n"]
        total = len(scan["editors"]) + len(scan["edits"])
        return {"id": scan["id"], "requested_at": scan["requested_at"], "total": total, "scored": scored,
                "failed": failed, "done": scored + failed >= total, "rejected": scan["errors"]}

    # -- reading back (demo, tests) -------------------------------------------------------------
    def count_scanned(self, model_versions: Sequence[str]) -> dict[str, int]:
        """How many entities of each kind have a score from one of ``model_versions``."""
        with self.db.transaction() as cur:
            cur.execute("SELECT kind, count(*) AS n FROM score WHERE model_version = ANY(%s) GROUP BY kind",
                        (list(model_versions),))
            return {row["kind"]: row["n"] for row in cur.fetchall()}

    def count_errors(self) -> dict[str, int]:
        """How many entities of each kind could not be scanned."""
        with self.db.transaction() as cur:
            cur.execute("SELECT kind, count(*) AS n FROM scan_error GROUP BY kind")
            return {row["kind"]: row["n"] for row in cur.fetchall()}

    def reports_since(self, days: float) -> int:
        """How many reports were opened in the last ``days``."""
        return self.db.value("SELECT count(*) FROM report WHERE created_at > now() - %s * interval '1 day'", (days,))

    def count_open_reports(self) -> int:
        """How many reports wait for a verdict."""
        return self.db.value("SELECT count(*) FROM report WHERE status = 'open'")

    def open_reports(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Open reports, highest score first (ties by entity, so the order does not depend on scan order)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id, kind, entity_id, score, reasons, model_version, action, created_at
                           FROM report WHERE status = 'open' ORDER BY score DESC, kind, entity_id LIMIT %s""", (limit,))
            return [dict(row) for row in cur.fetchall()]

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

