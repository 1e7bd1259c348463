"""What ninjas decide: verdicts (the trainer's queue, never lost), appeals against automatic action, and
trusted accounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sb_worker.errors import BadInput
from sb_worker.storage.db import Database

_APPEAL_COLUMNS = "id, report_id, editor_id, message, submitted_by, status, created_at, decided_at, decided_by"


class Verdicts:
    """The ``verdict``, ``appeal`` and ``trusted_account`` tables."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, report_id: int, verdict: str, ninja: str, note: str) -> dict[str, Any]:
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
            cur.execute("UPDATE report SET status = %s, updated_at = now(), claimed_by = NULL, claimed_until = NULL "
                        "WHERE id = %s", (verdict, report_id))
            cur.execute("""INSERT INTO verdict (report_id, verdict, ninja, note) VALUES (%s, %s, %s, %s)
                           RETURNING id, report_id, verdict, ninja, note, created_at""",
                        (report_id, verdict, ninja, note))
            return dict(cur.fetchone())

    def undo(self, report_id: int, ninja: str, minutes: float) -> dict[str, Any]:
        """Undo ``ninja``'s own verdict, the report's latest, given less than ``minutes`` ago: an "undo" event that
        reopens the report. Neither is learned from (a verdict the trainer has learned already stays learned: it
        batches verdicts for SB_FEEDBACK_WAIT_S first). BadInput names why an undo is refused."""
        with self.db.transaction() as cur:
            cur.execute("SELECT kind, entity_id FROM report WHERE id = %s FOR UPDATE", (report_id,))
            report = cur.fetchone()
            if report is None:
                raise BadInput(f"report {report_id} does not exist")
            cur.execute("""SELECT id, verdict, ninja, created_at > now() - %s * interval '1 minute' AS recent
                           FROM verdict WHERE report_id = %s ORDER BY id DESC LIMIT 1""", (minutes, report_id))
            latest = cur.fetchone()
            if latest is None or latest["verdict"] == "undo":
                raise BadInput(f"report {report_id} has no verdict to undo")
            if latest["ninja"] != ninja or not latest["recent"]:
                raise BadInput(f"only the ninja who gave it can undo a verdict, and only for {minutes:g} minutes")
            cur.execute("SELECT 1 FROM report WHERE kind = %s AND entity_id = %s AND status = 'open' AND id <> %s",
                        (report["kind"], report["entity_id"], report_id))
            if cur.fetchone():
                raise BadInput(f"a newer report on this {report['kind']} is open: judge that one instead")
            cur.execute("UPDATE verdict SET applied_at = now() WHERE id = %s AND applied_at IS NULL", (latest["id"],))
            cur.execute("UPDATE report SET status = 'open', updated_at = now() WHERE id = %s", (report_id,))
            cur.execute("""INSERT INTO verdict (report_id, verdict, ninja, note, applied_at)
                           VALUES (%s, 'undo', %s, %s, now()) RETURNING id, report_id, verdict, ninja, note, created_at""",
                        (report_id, ninja, f"undid verdict {latest['id']} ({latest['verdict']})"))
            return dict(cur.fetchone())

    def latest(self, report_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The latest verdict on each of ``report_ids`` that has one: its verdict, ninja and age in minutes."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT DISTINCT ON (report_id) report_id, verdict, ninja,
                                  extract(epoch FROM now() - created_at) / 60 AS minutes
                           FROM verdict WHERE report_id = ANY(%s) ORDER BY report_id, id DESC""", (list(report_ids),))
            return {row["report_id"]: dict(row) for row in cur.fetchall()}

    def ninjas(self) -> list[dict[str, Any]]:
        """Each ninja's verdicts (spam, not spam, undone, the latest) and agreement with the others: on the accounts
        another ninja judged too, how often their latest verdicts were the same."""
        with self.db.transaction() as cur:
            cur.execute("""
                WITH latest AS (
                    SELECT DISTINCT ON (r.kind, r.entity_id, v.ninja) r.kind, r.entity_id, v.ninja, v.verdict
                    FROM verdict v JOIN report r ON r.id = v.report_id ORDER BY r.kind, r.entity_id, v.ninja, v.id DESC),
                agreement AS (
                    SELECT a.ninja, count(*) AS shared, count(*) FILTER (WHERE a.verdict = b.verdict) AS agreed
                    FROM latest a JOIN latest b ON (a.kind, a.entity_id) = (b.kind, b.entity_id) AND a.ninja <> b.ninja
                    WHERE a.verdict <> 'undo' AND b.verdict <> 'undo' GROUP BY a.ninja)
                SELECT v.ninja, count(*) FILTER (WHERE v.verdict = 'spam') AS spam,
                       count(*) FILTER (WHERE v.verdict = 'ham') AS ham, count(*) FILTER (WHERE v.verdict = 'undo') AS undone,
                       max(v.created_at) AS latest, coalesce(max(g.shared), 0) AS shared, coalesce(max(g.agreed), 0) AS agreed
                FROM verdict v LEFT JOIN agreement g ON g.ninja = v.ninja
                GROUP BY v.ninja ORDER BY count(*) DESC, v.ninja""")
            return [dict(row) for row in cur.fetchall()]

    def history(self, ninja: str, limit: int = 200) -> list[dict[str, Any]]:
        """One ninja's verdicts, newest first, with the report each was on."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT v.id, v.report_id, v.verdict, v.note, v.created_at, r.kind, r.entity_id, r.score
                           FROM verdict v JOIN report r ON r.id = v.report_id WHERE v.ninja = %s
                           ORDER BY v.id DESC LIMIT %s""", (ninja, limit))
            return [dict(row) for row in cur.fetchall()]

    def unapplied(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Verdicts the trainer has not applied yet, oldest first (the queue may lose messages; this table not)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT v.id, v.report_id, v.verdict, v.created_at, r.kind, r.entity_id FROM verdict v
                           JOIN report r ON r.id = v.report_id WHERE v.applied_at IS NULL ORDER BY v.id LIMIT %s""",
                        (limit,))
            return [dict(row) for row in cur.fetchall()]

    def oldest_unapplied_age_s(self) -> float:
        """How long the oldest unapplied verdict has waited, in seconds (0 when none waits)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age FROM verdict
                           WHERE applied_at IS NULL""")
            return float(cur.fetchone()["age"])

    def mark_applied(self, verdict_ids: list[int], cur) -> None:
        """Mark verdicts applied, in ``cur``'s transaction: by the model that learned from them, or with none when
        no model learns from them (all on sources the network does not score)."""
        cur.execute("UPDATE verdict SET applied_at = now() WHERE id = ANY(%s) AND applied_at IS NULL", (verdict_ids,))

    def judged_reports(self, days: float | None = None) -> list[dict[str, Any]]:
        """Reports and audit items with their latest verdict (given in the last ``days`` when set): what precision
        and recall are measured on. ``opened_at`` is when the report was opened, ``sample_rate`` an audit item's
        share of its band."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT * FROM (SELECT DISTINCT ON (r.id) r.id, r.kind, r.score, r.reasons, r.action,
                                                 r.sample_rate, r.created_at AS opened_at, v.verdict, v.created_at
                                          FROM report r JOIN verdict v ON v.report_id = r.id ORDER BY r.id, v.id DESC) j
                           WHERE verdict <> 'undo'
                             AND (%(days)s IS NULL OR created_at > now() - %(days)s * interval '1 day')""",
                        {"days": days})
            return [dict(row) for row in cur.fetchall()]

    def still_trusted(self, cur, fingerprints: Mapping[tuple[str, int], str]) -> set[tuple[str, int]]:
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
