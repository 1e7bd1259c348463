"""Scores, scan errors and reports: a chunk's results stored in one transaction, reports delivered to the sinks,
scans asked for through the API, and what the API and the demo read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from psycopg2.extras import Json, execute_values

from sb_worker.errors import BadInput
from sb_worker.model import audit
from sb_worker.scoring.pipeline import RecordError, Score
from sb_worker.storage.db import Database


class Saved(NamedTuple):
    """What storing one chunk did."""

    undelivered: list[int]   # this chunk's open reports not yet delivered
    created: int             # reports opened by this chunk


_REPORT_COLUMNS = ("id, kind, entity_id, score, log_odds, reasons, model_version, action, sample_rate, status, "
                   "created_at, updated_at, "
                   "CASE WHEN claimed_until > now() THEN claimed_by END AS claimed_by, "
                   "CASE WHEN claimed_until > now() THEN to_char(claimed_until AT TIME ZONE 'UTC', "
                   "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') END AS claimed_until")

#: What ties open reports into a campaign: a domain they link to, or a phone number, messenger handle or email
#: domain they give, read from the evidence of the reasons that count for spam. Each row: a report and one key,
#: "domain:example.ru" or "contact:+447911123456" (a number without its spaces and punctuation).
_CAMPAIGN_KEYS = """
    SELECT DISTINCT r.id AS report_id,
           CASE WHEN reason->>'detector' = 'contact_details'
                THEN 'contact:' || lower(regexp_replace(e->>'text', '[[:space:]().-]', '', 'g'))
                ELSE 'domain:' || lower(e->>'text') END AS key
    FROM report r
    CROSS JOIN LATERAL jsonb_array_elements(r.reasons) reason
    CROSS JOIN LATERAL jsonb_array_elements(coalesce(reason->'evidence', '[]')) e
    WHERE r.status = 'open' AND r.action <> 'audit' AND (reason->>'points')::float > 0
      AND reason->>'detector' IN ('text_links', 'domain_reputation', 'campaigns', 'contact_details')"""


NEAR_COPY_BITS = 4  # texts this close are copies of one text (as the campaigns detector reads known spam)


def _signed(h: int | None) -> int | None:
    """A 64-bit hash as PostgreSQL's BIGINT holds it."""
    return h - 2**64 if h is not None and h >= 2**63 else h


def near_copy_groups(hashes: Sequence[tuple[int, int]], max_bits: int) -> list[list[int]]:
    """Groups of IDs whose 64-bit hashes are within ``max_bits`` of another member, from (ID, hash) pairs. Two
    such hashes agree on one of ``max_bits + 1`` bands (pigeonhole), so only IDs sharing a band are compared."""
    parent = {i: i for i, _ in hashes}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    width = 64 // (max_bits + 1)
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, h in hashes:
        for band in range(max_bits + 1):
            key = (band, (h >> (width * band)) & ((1 << width) - 1))
            for j, other in buckets.get(key, ()):
                if (h ^ other).bit_count() <= max_bits:
                    parent[root(i)] = root(j)
            buckets.setdefault(key, []).append((i, h))
    groups: dict[int, list[int]] = {}
    for i, _ in hashes:
        groups.setdefault(root(i), []).append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


@dataclass(frozen=True)
class ReportQuery:
    """Which reports a list shows. ``text`` is looked for in the reasons (their sentences and evidence: a domain,
    a phone number, a phrase); ``entities`` are (kind, ID) pairs, from a search by name; dates are inclusive.
    ``audit``: only audit items (True), only reports (False), or both (None)."""

    status: str | None = "open"
    low: float = 0
    high: float = 100
    detector: str | None = None
    campaign: str | None = None
    kind: str | None = None
    text: str | None = None
    entities: tuple[tuple[str, int], ...] | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    audit: bool | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        """The WHERE clause and its parameters."""
        parts = ["score BETWEEN %(low)s AND %(high)s"]
        optional = [(self.status, "status = %(status)s"), (self.detector, "reasons @> %(detector)s"),
                    (self.campaign, f"id IN (SELECT report_id FROM ({_CAMPAIGN_KEYS}) k WHERE key = %(campaign)s)"),
                    (self.kind, "kind = %(kind)s"), (self.text, "strpos(lower(reasons::text), lower(%(text)s)) > 0"),
                    (self.entities is not None, "(kind, entity_id) IN (SELECT * FROM unnest(%(kinds)s::text[], "
                                                "%(ids)s::bigint[]))"),
                    (self.since, "created_at >= %(since)s"), (self.until, "created_at < %(until)s::date + 1"),
                    (self.audit is True, "action = 'audit'"), (self.audit is False, "action <> 'audit'")]
        parts += [clause for wanted, clause in optional if wanted]
        entities = self.entities or ()
        return " AND ".join(parts), {
            "low": self.low, "high": self.high, "status": self.status, "detector": Json([{"detector": self.detector}]),
            "campaign": self.campaign, "kind": self.kind, "text": self.text, "since": self.since, "until": self.until,
            "kinds": [k for k, _ in entities], "ids": [i for _, i in entities]}


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


class Reports:
    """The ``score``, ``scan_error``, ``report``, ``report_delivery`` and ``scan_request`` tables."""

    def __init__(self, db: Database, config, verdicts):
        self.db = db
        self.config = config      # the thresholds a chunk is stored under ...
        self.verdicts = verdicts  # ... and the trusted accounts it does not report, read in the same transaction

    def save_scan(self, scores: Sequence[Score], errors: Sequence[RecordError],
                  fingerprints: Mapping[tuple[str, int], str] | None = None,
                  audit_rates: Sequence[float] = ()) -> Saved:
        """Store scores, open or update reports and record errors, in one transaction.

        ``fingerprints`` ((kind, account ID) to :func:`profile_fingerprint`) lets trusted accounts whose profile has not
        changed since they were trusted be scored without being reported. Accounts scored below review are drawn
        for audit at ``audit_rates`` (see :mod:`sb_worker.model.audit`): an audit item is a report with action
        "audit", for the review page only (no sink gets it), on an account that never had a report; it becomes an
        ordinary report if a rescan scores the account at or above review. Returns the IDs of this chunk's open
        reports not yet delivered (new ones, or ones whose delivery a crash interrupted), so the caller can queue
        their delivery, and how many reports it opened. Running it twice changes nothing.
        """
        with self.db.transaction() as cur:
            thresholds = self.config.thresholds(cur)
            trusted = self.verdicts.still_trusted(cur, fingerprints or {})
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
                    INSERT INTO report (kind, entity_id, score, reasons, model_version, action, text_hash, log_odds)
                    VALUES %s
                    ON CONFLICT (kind, entity_id) WHERE status = 'open' DO UPDATE
                    SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, model_version = EXCLUDED.model_version,
                        action = EXCLUDED.action, text_hash = EXCLUDED.text_hash, log_odds = EXCLUDED.log_odds,
                        updated_at = now()
                    WHERE (report.score, report.reasons, report.model_version, report.action)
                          IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.reasons, EXCLUDED.model_version, EXCLUDED.action)
                    RETURNING xmax = 0""",  # true for a row inserted, false for one updated
                    [(s.kind, s.entity_id, s.score, Json(s.reasons_json()), s.model_version, a, _signed(s.text_hash),
                      s.log_odds) for s, a in flagged],
                    fetch=True)
                created = sum(1 for row in inserted if next(iter(row.values())))
                cur.execute("""SELECT id FROM report WHERE status = 'open' AND delivered_at IS NULL
                               AND (kind, entity_id) IN (SELECT * FROM unnest(%s::text[], %s::bigint[]))
                               ORDER BY id""",
                            ([s.kind for s, _ in flagged], [s.entity_id for s, _ in flagged]))
                undelivered = [row["id"] for row in cur.fetchall()]
            else:
                undelivered, created = [], 0
            sampled = audit.drawn(((s.kind, s.entity_id, s.score) for s in scores
                                   if (s.kind, s.entity_id) not in trusted), thresholds.review, audit_rates)
            if sampled:
                by_key = {(s.kind, s.entity_id): s for s in scores}
                execute_values(cur, """
                    INSERT INTO report (kind, entity_id, score, reasons, model_version, action, sample_rate, text_hash,
                                        log_odds)
                    SELECT a.* FROM (VALUES %s) AS a (kind, entity_id, score, reasons, model_version, action,
                                                      sample_rate, text_hash, log_odds)
                    WHERE NOT EXISTS (SELECT 1 FROM report r WHERE r.kind = a.kind AND r.entity_id = a.entity_id)
                    ON CONFLICT DO NOTHING""",
                    [(k, i, by_key[(k, i)].score, Json(by_key[(k, i)].reasons_json()), by_key[(k, i)].model_version,
                      "audit", rate, _signed(by_key[(k, i)].text_hash), by_key[(k, i)].log_odds)
                     for k, i, rate in sampled],
                    template="(%s, %s::bigint, %s::smallint, %s::jsonb, %s, %s, %s::real, %s::bigint, %s::float8)")
            if errors:
                execute_values(cur, """
                    INSERT INTO scan_error (kind, entity, error) VALUES %s
                    ON CONFLICT (kind, entity) DO UPDATE SET error = EXCLUDED.error, last_seen = now()""",
                    sorted({(e.kind, e.entity[:200], e.error) for e in errors}))
        return Saved(undelivered, created)

    def get(self, report_id: int) -> Report:
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

    def page_json(self, query: ReportQuery, page: int, per_page: int) -> str:
        """A page of the reports ``query`` asks for, highest score first (a score's ties by their log-odds), with
        how many match in all, as JSON."""
        where, params = query.sql()
        return self.db.value(f"""
            SELECT json_build_object('reports', coalesce(json_agg(r ORDER BY r.score DESC, r.log_odds DESC NULLS LAST,
                                                                           r.id), '[]'),
                                     'page', %(page)s, 'per_page', %(per_page)s,
                                     'total', (SELECT count(*) FROM report WHERE {where}))::text
            FROM (SELECT {_REPORT_COLUMNS} FROM report WHERE {where}
                  ORDER BY score DESC, log_odds DESC NULLS LAST, id LIMIT %(limit)s OFFSET %(offset)s) r""",
                             {**params, "page": page, "per_page": per_page, "limit": per_page,
                              "offset": (page - 1) * per_page})

    def claim(self, report_id: int, ninja: str, minutes: float) -> dict[str, Any] | None:
        """Claim an open report for ``minutes`` (again, if it is one's own): None when someone else holds it."""
        with self.db.transaction() as cur:
            cur.execute("""UPDATE report SET claimed_by = %(ninja)s, claimed_until = now() + %(minutes)s * interval '1 minute'
                           WHERE id = %(id)s AND status = 'open'
                             AND (claimed_until IS NULL OR claimed_until <= now() OR claimed_by = %(ninja)s)
                           RETURNING claimed_by, claimed_until""", {"ninja": ninja, "minutes": minutes, "id": report_id})
            row = cur.fetchone()
        return dict(row) if row else None

    def release(self, report_id: int, ninja: str | None = None) -> None:
        """End the claim on a report (``ninja``'s only, when given)."""
        with self.db.transaction() as cur:
            cur.execute("UPDATE report SET claimed_by = NULL, claimed_until = NULL WHERE id = %s "
                        "AND (%s IS NULL OR claimed_by = %s)", (report_id, ninja, ninja))

    def campaigns(self, limit: int = 10, min_size: int = 2) -> list[dict[str, Any]]:
        """The largest campaigns among open reports: each key (see ``_CAMPAIGN_KEYS``) that at least ``min_size``
        open reports share, and each group of near-copies ("text:ID", after its first report), largest first."""
        with self.db.transaction() as cur:
            cur.execute(f"""SELECT key, count(*) AS reports FROM ({_CAMPAIGN_KEYS}) k GROUP BY key
                            HAVING count(*) >= %s ORDER BY count(*) DESC, key LIMIT %s""", (min_size, limit))
            shared = [dict(row) for row in cur.fetchall()]
        copies = [{"key": f"text:{group[0]}", "reports": len(group)} for group in self._near_copies()
                  if len(group) >= min_size]
        return sorted(shared + copies, key=lambda c: (-c["reports"], c["key"]))[:limit]

    def near_copies_of(self, report_id: int) -> list[tuple[str, int]]:
        """The (kind, entity ID) of the open reports in the group of near-copies that ``report_id`` heads."""
        group = next((g for g in self._near_copies() if g[0] == report_id), [])
        with self.db.transaction() as cur:
            cur.execute("SELECT kind, entity_id FROM report WHERE id = ANY(%s) ORDER BY id", (group,))
            return [(row["kind"], row["entity_id"]) for row in cur.fetchall()]

    def _near_copies(self, max_bits: int = NEAR_COPY_BITS) -> list[list[int]]:
        """Open reports whose texts are within ``max_bits`` SimHash bits of each other, chained: groups of report
        IDs, each in ID order."""
        with self.db.transaction() as cur:
            cur.execute("SELECT id, text_hash FROM report WHERE status = 'open' AND action <> 'audit' "
                        "AND text_hash IS NOT NULL ORDER BY id")
            hashes = [(row["id"], row["text_hash"] & (2**64 - 1)) for row in cur.fetchall()]
        return near_copy_groups(hashes, max_bits)

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

    def score_histogram(self, kinds: Sequence[str], days: float) -> dict[int, int]:
        """How many accounts of ``kinds`` scanned in the last ``days`` have each latest score: the population the
        audit sample is drawn from."""
        with self.db.transaction("long") as cur:
            cur.execute("""SELECT score, count(*) AS n FROM (
                               SELECT DISTINCT ON (kind, entity_id) score FROM score
                               WHERE kind = ANY(%s) AND scanned_at > now() - %s * interval '1 day'
                               ORDER BY kind, entity_id, scanned_at DESC) latest GROUP BY score""",
                        (list(kinds), days))
            return {row["score"]: row["n"] for row in cur.fetchall()}

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

    def since(self, days: float) -> int:
        """How many reports were opened in the last ``days`` (audit items are not reports)."""
        return self.db.value("SELECT count(*) FROM report WHERE created_at > now() - %s * interval '1 day' "
                             "AND action <> 'audit'", (days,))

    def count_open(self) -> dict[str, int]:
        """How many reports, and how many audit items, wait for a verdict."""
        return self.db.value("""SELECT json_build_object('reports', count(*) FILTER (WHERE action <> 'audit'),
                                                         'audit', count(*) FILTER (WHERE action = 'audit'))
                                FROM report WHERE status = 'open'""")

    def open(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Open reports (not audit items), highest score first, then by log-odds (then by entity, so the order does
        not depend on scan order)."""
        with self.db.transaction() as cur:
            cur.execute("""SELECT id, kind, entity_id, score, reasons, model_version, action, created_at
                           FROM report WHERE status = 'open' AND action <> 'audit'
                           ORDER BY score DESC, log_odds DESC NULLS LAST, kind, entity_id LIMIT %s""", (limit,))
            return [dict(row) for row in cur.fetchall()]
