"""The per-process service objects (readers, store, pipeline, sinks, metrics), built once from the settings."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from detectors.reputation import Reputation
from sb_worker.errors import BadInput, ConfigError, Unavailable
from sb_worker.metrics import Metrics, make_metrics
from sb_worker.scoring.pipeline import Pipeline, Thresholds, Weights, build_pipeline
from sb_worker.settings import Settings
from sb_worker.sinks import Sink, build_sinks
from sb_worker.storage import db
from sb_worker.storage.sources import Source, build_sources, source_of
from sb_worker.storage.store import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a worker process works with."""

    settings: Settings
    sources: dict[str, Source]
    store: Store
    pipeline: Pipeline
    sinks: list[Sink]
    metrics: Metrics
    schema_checked: bool = False
    model_checked_at: float = float("-inf")
    failed_version: str | None = None
    lists_stamp: tuple[int, int] | None = None  # the ninjas' lists the pipeline has (see current_pipeline)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Build every component; configuration errors surface here. Connections open on first use."""
        return cls(
            settings=settings,
            sources=build_sources(settings),
            store=Store(settings.dsn, Thresholds(settings.review_threshold, settings.auto_threshold)),
            pipeline=offline_pipeline(settings),
            sinks=build_sinks(settings),
            metrics=make_metrics(settings.statsd_host, settings.statsd_port, settings.statsd_prefix),
        )

    def source(self, kind: object) -> Source:
        """The configured source named ``kind`` (BadInput for any other)."""
        return source_of(self.sources, kind)

    def ready(self) -> None:
        """Check once per process that the SpamBrainz database has the schema this code needs.

        A database not yet migrated is Unavailable, not an error: scans wait for `sb migrate` instead of failing.
        """
        if not self.schema_checked:
            try:
                self.store.check_schema()
            except ConfigError as exc:
                raise Unavailable(str(exc)) from None
            self.schema_checked = True

    def current_pipeline(self) -> Pipeline:
        """The pipeline for the next chunk: switched to a newly activated model version, loaded in full first, and
        given the ninjas' allow and block lists as they stand.

        The database is asked at most every SB_MODEL_CHECK_S seconds. A new version is unpacked, loaded and
        warmed up beside the running pipeline and only then swapped in, so no chunk meets a half-loaded model;
        a version that cannot be loaded is logged once and the pipeline in use stays.
        """
        now = time.monotonic()
        if now - self.model_checked_at < self.settings.model_check_s:
            return self.pipeline
        self.model_checked_at = now
        wanted = self.store.models.active()
        current = self.pipeline.model.version if self.pipeline.model is not None else None
        if wanted != current and wanted != self.failed_version:
            try:
                self.pipeline = self._pipeline_for(wanted)
                self.lists_stamp = None  # a new pipeline: give it the lists below
                log.warning("now scoring with %s", wanted or "the heuristic weights (no active model)")
            except (ConfigError, BadInput) as exc:
                self.failed_version = wanted
                log.error("cannot switch to model %s, still scoring with %s: %s", wanted, current or "heuristics", exc)
        stamp = self.store.lists.stamp()
        if stamp != self.lists_stamp:  # the ninjas changed their lists: the next chunk uses them, no restart
            self.pipeline = self.pipeline.with_lists(self.store.lists.entries())
            self.lists_stamp = stamp
        return self.pipeline

    def _pipeline_for(self, version: str | None) -> Pipeline:
        if version is None:
            return offline_pipeline(self.settings)
        model = self.store.models.load(version)
        pipeline = build_pipeline(self.settings.detectors, model=model, cache_dir=self.settings.cache_dir or None)
        pipeline.score("editor", [])  # build the pattern sets now, not during a chunk
        return pipeline

    def close(self) -> None:
        """Close the database connections."""
        for source in self.sources.values():
            source.close()
        self.store.close()


_settings: Settings | None = None
_runtime: Runtime | None = None


def configure(settings: Settings) -> None:
    """Use these settings in this process instead of reading the environment."""
    global _settings
    close()
    _settings = settings
    db.set_timeouts(settings.db_timeout_s, settings.db_long_timeout_s)


def settings() -> Settings:
    """This process's settings, read from the environment on first use."""
    if _settings is None:
        configure(Settings.from_env())
    return _settings


def offline_pipeline(settings: Settings, weights: Weights | None = None, model: object = None) -> Pipeline:
    """The pipeline offline commands use: the same detectors, reputation and weights (or model) as the workers."""
    return build_pipeline(settings.detectors, weights=weights, reputation=load_reputation(settings),
                          cache_dir=settings.cache_dir or None, model=model)


def validate(settings: Settings) -> None:
    """Raise ConfigError if the detectors, the reputation file, the sources or the sinks in ``settings`` are
    misconfigured. The detectors are built as the workers build them, pattern sets read from SB_CACHE_DIR (or
    compiled into it once, here, before the pool processes start)."""
    offline_pipeline(settings)
    build_sources(settings)
    build_sinks(settings)


def load_reputation(settings: Settings) -> Reputation | None:
    """The reputation table named by SB_REPUTATION_FILE, or None."""
    if not settings.reputation_file:
        return None
    try:
        return Reputation.from_json(Path(settings.reputation_file).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"SB_REPUTATION_FILE {settings.reputation_file!r}: cannot read it ({exc})") from None


def get() -> Runtime:
    """This process's runtime, built on first use."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime.from_settings(settings())
    return _runtime


def close() -> None:
    """Close and forget this process's runtime."""
    global _runtime
    if _runtime is not None:
        _runtime.close()
        _runtime = None
