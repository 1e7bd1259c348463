"""Metrics for Grafana through statsd, or nowhere when no statsd host is set."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


#: Every metric SpamBrainz sends (each name after SB_STATSD_PREFIX, "spambrainz." by default): the README's table.
#: ``{kind}`` a source in SB_SOURCES, ``{band}`` band_0 … band_90 (scores in tens), ``{sink}`` a report sink,
#: ``{queue}`` scan, reports or feedback.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("scan.{kind}.entities", "counter", "entities scored"),
    ("scan.{kind}.errors", "counter", "IDs that could not be scored (malformed, missing from MusicBrainz, bad record)"),
    ("scan.{kind}.chunk", "timer", "time to load, score and store one chunk"),
    ("scan.{kind}.delay", "timer", "end-to-end delay: from being queued to the stored score, per chunk"),
    ("scan.{kind}.requeued", "counter", "entities the daily sweep queued again because no scan covered them: "
                                        "messages a killed worker or a Redis crash lost"),
    ("scores.{kind}.{band}", "counter", "scores given, by band of ten: the score distribution"),
    ("detectors.{detector}.hits", "counter", "records a detector gave a reason for"),
    ("reports.created.{kind}", "counter", "new reports for the ninjas"),
    ("reports.delivered.{sink}", "counter", "reports a sink accepted"),
    ("reports.failed.{sink}", "counter", "deliveries a sink refused or timed out (retried with backoff)"),
    ("reports.open", "gauge", "open reports waiting for a verdict"),
    ("audit.open", "gauge", "open audit items (accounts drawn from those not reported) waiting for a verdict"),
    ("verdicts.{verdict}", "counter", "ninja verdicts, spam or ham"),
    ("appeals.{decision}", "counter", "appeals decided: upheld (a false positive) or rejected"),
    ("precision.review", "gauge", "live precision: share of judged reports at or above the review threshold that "
                                  "were spam, verdicts of the last 7 days"),
    ("precision.verdicts", "gauge", "how many verdicts precision.review is measured on"),
    ("recall.review", "gauge", "estimated recall at the review threshold, from the audit sample's verdicts (sent once "
                               "every score band has one)"),
    ("recall.low", "gauge", "the lower end of recall.review's 95% interval"),
    ("recall.high", "gauge", "the upper end of recall.review's 95% interval"),
    ("recall.audit_verdicts", "gauge", "how many audit verdicts recall.review is estimated from"),
    ("harvest.{label}", "counter", "labels harvested from MusicBrainz: spam (flagged SPAMMER), ham (in good "
                                   "standing), missed (spam SpamBrainz had scored below review and never reported)"),
    ("harvest.missed.{band}", "counter", "misses by the score band they had"),
    ("misses.week", "gauge", "spam accounts MusicBrainz flagged in the last 7 days that SpamBrainz had missed"),
    ("caught.hours_to_report.median", "gauge", "hours from registration to the first report, median over the "
                                               "flagged spammers SpamBrainz reported"),
    ("caught.hours_to_report.p90", "gauge", "... and its 90th percentile"),
    ("queue.{queue}.depth", "gauge", "messages waiting in a queue, all priorities"),
    ("model.{version}.active", "gauge", "1 while a model version is active, 0 for the five versions before it"),
    ("trainer.runs", "counter", "trainer updates from verdicts and harvested labels"),
    ("trainer.duration", "timer", "time of one trainer update"),
    ("trainer.promoted", "counter", "candidates that passed the gate and became active"),
    ("trainer.refused", "counter", "candidates the gate kept back for an operator"),
)


def band(score: int) -> str:
    """The score band a score is counted in: band_0 … band_90."""
    return f"band_{min(score // 10 * 10, 90)}"


class Metrics:
    """The do-nothing metrics: every call is accepted and dropped."""

    def incr(self, name: str, count: int = 1) -> None:
        """Add ``count`` to a counter."""

    def timing(self, name: str, ms: float) -> None:
        """Record a duration in milliseconds."""

    def gauge(self, name: str, value: float) -> None:
        """Set a gauge."""

    @contextmanager
    def timer(self, name: str) -> Iterator[None]:
        """Time the block and record it as ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timing(name, (time.perf_counter() - start) * 1000)


class StatsdMetrics(Metrics):
    """Metrics sent over UDP to a statsd server."""

    def __init__(self, host: str, port: int, prefix: str):
        import statsd  # only when statsd is configured

        self.client = statsd.StatsClient(host, port, prefix=prefix)

    def incr(self, name: str, count: int = 1) -> None:
        self.client.incr(name, count)

    def timing(self, name: str, ms: float) -> None:
        self.client.timing(name, ms)

    def gauge(self, name: str, value: float) -> None:
        self.client.gauge(name, value)


def make_metrics(host: str, port: int, prefix: str) -> Metrics:
    """Statsd metrics when ``host`` is set, else the do-nothing ones."""
    return StatsdMetrics(host, port, prefix) if host else Metrics()
