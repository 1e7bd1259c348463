"""Labels SpamBrainz did not choose: accounts MusicBrainz flagged or holds in good standing (the trainer learns them
like verdicts), and what they say about what SpamBrainz missed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg2.extras import Json, execute_values

from sb_worker.storage.db import Database

LABEL_COLUMNS = ("kind", "entity_id", "label", "source", "record", "score", "scanned_at", "reported_at",
                 "registered_at", "missed")


class Labels:
    """The ``label`` table."""

    def __init__(self, db: Database):
        self.db = db

    def known(self, source: str, kind: str, ids: Sequence[int]) -> set[tuple[int, str]]:
        """(ID, label) of the labels ``source`` already gave accounts among ``ids``."""
        with self.db.transaction() as cur:
            cur.execute("SELECT entity_id, label FROM label WHERE source = %s AND kind = %s AND entity_id = ANY(%s)",
                        (source, kind, list(ids)))
            return {(row["entity_id"], row["label"]) for row in cur.fetchall()}

    def standing(self, kind: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What SpamBrainz made of each account among ``ids`` it scanned: its latest score and when, and when it was
        first reported (for review or action; None when never)."""
        with self.db.transaction() as cur:
            cur.execute("""
                SELECT s.entity_id, s.score, s.scanned_at,
                       (SELECT min(created_at) FROM report r WHERE r.kind = s.kind AND r.entity_id = s.entity_id
                          AND r.action <> 'audit') AS reported_at
                FROM (SELECT DISTINCT ON (entity_id) kind, entity_id, score, scanned_at FROM score
                      WHERE kind = %s AND entity_id = ANY(%s) ORDER BY entity_id, scanned_at DESC) s""",
                        (kind, list(ids)))
            return {row["entity_id"]: dict(row) for row in cur.fetchall()}

    def add(self, labels: Sequence[dict[str, Any]], cur) -> int:
        """Store labels in ``cur``'s transaction (one already there is skipped); returns how many were new."""
        if not labels:
            return 0
        rows = [tuple(Json(label[c]) if c == "record" else label.get(c) for c in LABEL_COLUMNS) for label in labels]
        inserted = execute_values(cur, f"""INSERT INTO label ({', '.join(LABEL_COLUMNS)}) VALUES %s
                                           ON CONFLICT (source, kind, entity_id, label) DO NOTHING RETURNING id""",
                                  rows, fetch=True)
        return len(inserted)

    def unapplied(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Labels the trainer has not learned yet, oldest first, with their records."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id, kind, entity_id, label, source, record, created_at FROM label
                           WHERE applied_at IS NULL ORDER BY id LIMIT %s""", (limit,))
            return [dict(row) for row in cur.fetchall()]

    def oldest_unapplied_age_s(self) -> float:
        """How long the oldest unlearned label has waited, in seconds (0 when none waits)."""
        return float(self.db.value("SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM label "
                                   "WHERE applied_at IS NULL"))

    def mark_applied(self, label_ids: Sequence[int], cur) -> None:
        """Mark labels learned, in ``cur``'s transaction."""
        cur.execute("UPDATE label SET applied_at = now() WHERE id = ANY(%s) AND applied_at IS NULL", (list(label_ids),))

    def figures(self, days: float, weeks: int = 8) -> dict[str, Any]:
        """What the labels say: misses found per week (the last ``weeks``), the scores the misses had and how long
        they had been registered when MusicBrainz flagged them (days, the median), and the
        time from registration to the first report of the spam SpamBrainz caught (hours: median and 90th
        percentile, over the accounts registered in the last ``days``: an account years old when it was first
        scanned says nothing of how fast SpamBrainz is), with the counts of each label and the misses of the last
        seven days."""
        return self.db.value("""
            SELECT json_build_object(
              'misses_week', (SELECT count(*) FROM label WHERE missed AND created_at > now() - interval '1 week'),
              'labels', (SELECT coalesce(json_object_agg(label, n), '{}') FROM
                           (SELECT label, count(*) AS n FROM label GROUP BY label) c),
              'misses_by_week', (SELECT coalesce(json_agg(w ORDER BY w.week), '[]') FROM
                           (SELECT to_char(date_trunc('week', created_at), 'YYYY-MM-DD') AS week, count(*) AS misses
                            FROM label WHERE missed AND created_at > now() - %(weeks)s * interval '1 week'
                            GROUP BY 1) w),
              'miss_age_days', (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY
                           extract(epoch FROM created_at - registered_at) / 86400) FROM label WHERE missed),
              'miss_scores', (SELECT coalesce(json_object_agg(band, n), '{}') FROM
                           (SELECT (least(score, 99) / 10 * 10)::text || '-' || (least(score, 99) / 10 * 10 + 9)::text
                                   AS band, count(*) AS n FROM label WHERE missed GROUP BY 1) b),
              'hours_to_report', (SELECT json_build_object(
                           'caught', count(*),
                           'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY h),
                           'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY h)) FROM
                           (SELECT extract(epoch FROM reported_at - registered_at) / 3600 AS h FROM label
                            WHERE label = 'spam' AND reported_at IS NOT NULL
                              AND registered_at > now() - %(days)s * interval '1 day') t))""",
                             {"weeks": weeks, "days": days})
