"""Metrics for Grafana through statsd, or nowhere when no statsd host is set."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


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
