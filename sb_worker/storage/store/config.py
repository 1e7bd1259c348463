"""Runtime settings kept in the database: the review and auto thresholds, and the switch for automatic action."""

from __future__ import annotations

from psycopg2.extras import Json

from sb_worker.scoring.pipeline import Thresholds
from sb_worker.storage.db import Database


class Config:
    """The ``setting`` table."""

    def __init__(self, db: Database, default_thresholds: Thresholds):
        self.db = db
        self.default_thresholds = default_thresholds

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
