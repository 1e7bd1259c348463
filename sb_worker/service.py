"""What the tasks do, as plain functions over a :class:`Runtime`: scanning a chunk, delivering a report, recording
a verdict, publishing the gauges, and the trainer's step. Testable without a worker."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sb_worker import harvest as harvesting
from sb_worker.broker import queue_depth, queue_feedback
from sb_worker.errors import BadInput, Unavailable
from sb_worker.metrics import band
from sb_worker.model import audit, learning, stats
from sb_worker.runtime import Runtime
from sb_worker.scoring.ids import parse_ids
from sb_worker.scoring.offline import result_json
from sb_worker.scoring.pipeline import RecordError, Score, Thresholds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanResult:
    """What one chunk did."""

    kind: str
    scanned: int
    errors: list[RecordError] = field(default_factory=list)
    to_deliver: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """A small JSON-ready summary (the task's return value and log line)."""
        return {"kind": self.kind, "scanned": self.scanned, "undelivered_reports": len(self.to_deliver),
                "errors": [{"entity": e.entity, "error": e.error} for e in self.errors]}


def score_records(rt: Runtime, kind: str, records: Sequence[Any]) -> dict[str, Any]:
    """Score records on demand with the pipeline a chunk of ``kind`` gets, storing nothing: the result of each,
    in order, in `sb score`'s format (a bad record is ``{"index": i, "error": ...}``)."""
    source = rt.source(kind)
    if not isinstance(records, (list, tuple)):
        raise BadInput(f"records must be a list, got {type(records).__name__}")
    pipeline = rt.current_pipeline()
    thresholds = rt.store.config.thresholds()
    results = []
    for index, result in enumerate(pipeline.score(kind, records, source.shape, source.scored_by_network)):
        if isinstance(result, RecordError):
            results.append({"index": index, "error": result.error})
        else:
            model = result.model_version if pipeline.model is not None else None
            results.append({"index": index, **result_json(result, thresholds, model)})
    return {"kind": kind, "results": results}


def scan_chunk(rt: Runtime, kind: str, raw_ids: Sequence[Any], queued_at: float | None = None) -> ScanResult:
    """Load, score and store one chunk; bad or missing IDs become errors and the rest is still scanned.

    ``queued_at`` (a Unix time) is when the chunk was queued, for the end-to-end delay metric."""
    source = rt.source(kind)
    if not isinstance(raw_ids, (list, tuple)):
        raise BadInput(f"IDs must be a list, got {type(raw_ids).__name__}")
    rt.ready()
    metrics = rt.metrics
    with metrics.timer(f"scan.{kind}.chunk"):
        ids, errors = parse_ids(kind, raw_ids)
        records, missing = source.load(ids) if ids else ([], [])
        errors += [RecordError(kind, str(i), f"{kind} {i} does not exist in {source.site}") for i in missing]
        results = rt.current_pipeline().score(kind, records, source.shape, source.scored_by_network)
        scores = [r for r in results if isinstance(r, Score)]
        errors += [r for r in results if isinstance(r, RecordError)]
        scored = {s.entity_id for s in scores}
        fingerprints = {(kind, r["id"]): fp for r in records if r["id"] in scored and (fp := source.fingerprint(r))}
        audit_rates = rt.settings.audit_rates if source.shape == "editor" else ()  # the audit is of accounts
        saved = rt.store.reports.save_scan(scores, errors, fingerprints, audit_rates)
    if isinstance(queued_at, (int, float)):
        metrics.timing(f"scan.{kind}.delay", max(0.0, time.time() - queued_at) * 1000)
    metrics.incr(f"scan.{kind}.entities", len(scores))
    for name, count in Counter(band(s.score) for s in scores).items():
        metrics.incr(f"scores.{kind}.{name}", count)
    for detector, count in Counter(r.detector for s in scores for r in s.reasons).items():
        metrics.incr(f"detectors.{detector}.hits", count)
    if saved.created:
        metrics.incr(f"reports.created.{kind}", saved.created)
    if errors:
        metrics.incr(f"scan.{kind}.errors", len(errors))
        for error in errors:  # IDs and messages only: records (with emails) are never logged
            log.warning("cannot scan %s %s: %s", error.kind, error.entity, error.error)
    return ScanResult(kind, len(scores), errors, saved.undelivered)


def out_of_time(rt: Runtime, kind: str, ids: Sequence[Any]) -> list[list[Any]]:
    """What to do with a chunk that ran past the task's soft time limit (nothing of it was stored): its two halves,
    to be queued again; or, for one entity, a scan error naming it and the limit (``sb enqueue --missing`` skips
    it until a rescan succeeds)."""
    limit = rt.settings.task_soft_time_limit_s
    rt.metrics.incr(f"scan.{kind}.out_of_time")
    if len(ids) > 1:
        log.warning("a chunk of %d %ss ran past the soft time limit (%d s): queued again as two halves",
                    len(ids), kind, limit)
        return [list(ids[:len(ids) // 2]), list(ids[len(ids) // 2:])]
    for entity in ids:  # the one
        error = RecordError(kind, str(entity), f"scanning {kind} {entity} alone took longer than the soft time "
                            f"limit of {limit} s (SB_TASK_SOFT_TIME_LIMIT_S)")
        log.warning("cannot scan %s %s: %s", error.kind, error.entity, error.error)
        rt.store.reports.save_scan([], [error])
    return []


def deliver(rt: Runtime, report_id: int) -> list[str]:
    """Send one report to every configured sink that does not have it yet; returns the sinks sent to now."""
    rt.ready()
    report = report_for_sinks(rt, report_id)
    done = rt.store.reports.delivered_sinks(report_id)
    sent = []
    for sink in rt.sinks:
        if sink.name not in done and sink.accepts(report):
            try:
                sink.send(report)  # Unavailable propagates: the task retries, skipping the sinks already done
            except Unavailable:
                rt.metrics.incr(f"reports.failed.{sink.name}")
                raise
            rt.store.reports.mark_delivered(report_id, sink.name)
            rt.metrics.incr(f"reports.delivered.{sink.name}")
            sent.append(sink.name)
    rt.store.reports.mark_delivered(report_id, None)
    return sent


def report_for_sinks(rt: Runtime, report_id: int) -> dict[str, Any]:
    """A stored report with what people need beside it: the account, links, and the editor it is signed as."""
    settings = rt.settings
    report = rt.store.reports.get(report_id).as_json()
    source = rt.source(report["kind"])
    account = source.account(report["entity_id"])
    if account:
        account["profile_url"] = rt.source(account["kind"]).entity_url(account["editor_id"], account["name"])
    entity_url = source.entity_url(report["entity_id"], (account or {}).get("name", ""))
    return {**report, "site": source.site, "account": account, "entity_url": entity_url,
            "reporter": {"id": settings.reporter_id, "name": settings.reporter_name},
            "review_url": f"{settings.public_url.rstrip('/')}/review?report={report_id}"}


def record_verdict(rt: Runtime, report_id: int, verdict: str, ninja: str, note: str,
                   trust: bool = False) -> dict[str, Any]:
    """A ninja's verdict: committed to the database first, then counted and the trainer woken. ``trust`` (with
    "ham") also trusts the account with its current profile: it is not reported again until that changes."""
    if trust and verdict != "ham":
        raise BadInput("only an account declined as not spam can be trusted")
    saved = rt.store.verdicts.add(report_id, verdict, ninja, note)
    if trust:
        report = rt.store.reports.get(report_id)
        source = rt.source(report.kind)
        account = source.account(report.entity_id)
        records = rt.source(account["kind"]).load([account["editor_id"]])[0] if account else []
        if not records:
            raise BadInput(f"the account of report {report_id} no longer exists in {source.site}")
        rt.store.verdicts.trust(account["kind"], account["editor_id"], rt.source(account["kind"]).fingerprint(records[0]),
                       ninja, report_id)
    rt.metrics.incr(f"verdicts.{verdict}")
    queue_feedback(rt.settings)  # the trainer reads the verdicts from the table, so a lost wake-up loses nothing
    return saved


def decide_appeal(rt: Runtime, appeal_id: int, upheld: bool, ninja: str, note: str) -> dict[str, Any]:
    """A ninja's decision on an appeal. It is also their verdict on the appealed report: upheld means it was not
    spam, a false positive counted against every detector that gave a reason (see /v1/stats), and it is feedback
    for the trainer like any other verdict."""
    decided = rt.store.verdicts.decide_appeal(appeal_id, upheld, ninja)
    record_verdict(rt, decided["report_id"], "ham" if upheld else "spam", ninja, note or f"appeal {appeal_id}")
    rt.metrics.incr(f"appeals.{decided['status']}")
    return decided


def audit_figures(rt: Runtime, judged: Sequence[dict[str, Any]], review: float) -> dict[str, Any]:
    """What SpamBrainz misses: recall at the ``review`` threshold estimated from the audit sample (None until every
    band has a verdict), and each band's accounts, verdicts and share of spam (for the bands below review, the
    precision a threshold there would have, without the selection bias of the threshold in force), on the accounts
    scanned in the last SB_AUDIT_DAYS; and what the labels MusicBrainz made say (misses by week and by score,
    time from registration to report). ``judged`` is every judged report, as the caller read it for its own
    figures (``Verdicts.judged_reports()``)."""
    kinds = [kind for kind, source in rt.sources.items() if source.shape == "editor"]
    histogram = rt.store.reports.score_histogram(kinds, rt.settings.audit_days)
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=rt.settings.audit_days)
    strata = audit.strata(histogram, [r for r in judged if r["kind"] in kinds and r["opened_at"] >= since], review)
    return {"review": review, "days": rt.settings.audit_days, "recall": audit.recall(strata),
            "strata": [s.as_json() for s in strata], "labels": rt.store.labels.figures(rt.settings.audit_days)}


def publish_gauges(rt: Runtime, recent_days: float = 7.0) -> dict[str, float]:
    """Send the gauges a periodic task keeps current: queue depths, open reports and audit items, live precision,
    estimated recall, what MusicBrainz's labels found, model versions."""
    gauges: dict[str, float] = {f"queue.{q}.depth": queue_depth(rt.settings.broker_url, q)
                                for q in ("scan", "reports", "feedback")}
    review = rt.store.config.thresholds().review
    judged = [r for r in rt.store.verdicts.judged_reports(days=recent_days) if r["score"] >= review]
    gauges["precision.verdicts"] = len(judged)
    if judged:
        gauges["precision.review"] = sum(r["verdict"] == "spam" for r in judged) / len(judged)
    waiting = rt.store.reports.count_open()
    gauges["reports.open"], gauges["audit.open"] = waiting["reports"], waiting["audit"]
    figures = audit_figures(rt, rt.store.verdicts.judged_reports(), review)
    if (estimate := figures["recall"]) is not None:
        gauges["recall.review"] = estimate["recall"]
        gauges["recall.low"], gauges["recall.high"] = estimate["interval"]
        gauges["recall.audit_verdicts"] = estimate["audit_verdicts"]
    labels = figures["labels"]
    gauges["misses.week"] = labels["misses_week"]
    if labels["hours_to_report"]["median"] is not None:
        gauges["caught.hours_to_report.median"] = labels["hours_to_report"]["median"]
        gauges["caught.hours_to_report.p90"] = labels["hours_to_report"]["p90"]
    versions = rt.store.models.list()
    active = next((i for i, m in enumerate(versions) if m.status == "active"), None)
    if active is not None:
        for m in versions[active:active + 6]:
            gauges[f"model.{m.version}.active"] = 1 if m.status == "active" else 0
    for name, value in gauges.items():
        rt.metrics.gauge(name, value)
    return gauges


def harvest(rt: Runtime, everything: bool = False) -> dict[str, Any]:
    """`sb harvest` and its periodic task: MusicBrainz's own labels since the mark, then the trainer is woken."""
    source = rt.sources.get(harvesting.KIND)
    if source is None:
        raise BadInput(f"harvesting reads MusicBrainz's editors: SB_SOURCES must include {harvesting.KIND!r}")
    settings = rt.settings
    overlap = dt.timedelta(seconds=settings.enqueue_overlap_s)
    done = harvesting.harvest(source.mb, rt.store, review=rt.store.config.thresholds().review,
                              ham_max=settings.harvest_ham_max, overlap=overlap,
                              first_days=settings.harvest_first_days, everything=everything)
    for name in ("spam", "ham", "missed"):
        rt.metrics.incr(f"harvest.{name}", getattr(done, name))
    for name, count in done.missed_by_band.items():
        rt.metrics.incr(f"harvest.missed.{name}", count)
    if done.spam or done.ham:
        queue_feedback(settings)  # the trainer reads the labels from the table, so a lost wake-up loses nothing
    return done.summary()


def change_thresholds(store, review: float | None = None, auto: float | None | str = "unchanged") -> Thresholds:
    """Set the review and auto thresholds; an auto threshold is refused until verdicts show it is safe."""
    current = store.config.thresholds()
    new = Thresholds(current.review if review is None else review, current.auto if auto == "unchanged" else auto)
    if new.auto is not None and new.auto != current.auto:
        allowed, why = stats.auto_allowed(store.verdicts.judged_reports(), new.auto)
        if not allowed:
            raise BadInput(f"automatic action at {new.auto:g} refused: {why}")
    store.config.set_thresholds(new)
    return new


def apply_feedback(rt: Runtime) -> dict[str, Any]:
    """The trainer's step: learn from unapplied verdicts and harvested labels once there are enough, or they have
    waited long enough.

    Storing the candidate, promoting it and marking the verdicts and labels applied happen in one transaction, so
    a trainer killed halfway applies the same ones again on restart, and never twice.
    """
    settings, store = rt.settings, rt.store
    pending, labels = store.verdicts.unapplied(), store.labels.unapplied()
    if not pending and not labels:
        return {"applied": 0}
    waited = max(store.verdicts.oldest_unapplied_age_s(), store.labels.oldest_unapplied_age_s())
    if len(pending) + len(labels) < settings.feedback_batch and waited < settings.feedback_wait_s:
        return {"applied": 0, "waiting": len(pending) + len(labels), "retry_in": settings.feedback_wait_s - waited}
    from sb_worker.model.architecture import device  # Keras: only the trainer pays for it
    from sb_worker.model.registry import pack, train_default

    log.warning("applying %d verdicts and %d harvested labels on the %s", len(pending), len(labels), device())
    started = time.perf_counter()
    records = learning.verdict_records(rt.sources, pending, labels)
    applied = {"applied": len(pending), "labels": len(labels)}
    if not records:  # nothing the network scores was judged: no new model, and the verdicts are done with
        store.save_learning(None, b"", {}, False, [v["id"] for v in pending], [lb["id"] for lb in labels])
        return {**applied, "learned_from": 0}
    active_version = store.models.active()
    active = store.models.load(active_version) if active_version else train_default(settings)
    candidate, report = learning.learn(active, records, store.config.thresholds(), settings.gate_tolerance,
                                       settings.gate_recall_tolerance, cache_dir=settings.cache_dir or None,
                                       detector_config=settings.detectors)
    with tempfile.TemporaryDirectory(prefix="sb-candidate-") as tmp:
        artifact = pack(candidate.save(Path(tmp) / candidate.version))
    store.save_learning(candidate.version, artifact, {"gate": report.__dict__, "parent": active.version},
                        report.promoted, [v["id"] for v in pending], [lb["id"] for lb in labels])
    rt.metrics.incr("trainer.runs")
    rt.metrics.incr("trainer.promoted" if report.promoted else "trainer.refused")
    rt.metrics.timing("trainer.duration", (time.perf_counter() - started) * 1000)
    return {**applied, "candidate": candidate.version, "promoted": report.promoted, "gate": report.summary()}
