"""The per-process service objects (readers, store, pipeline, sinks, metrics), built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from detectors.reputation import Reputation

from sb_worker.errors import ConfigError, Unavailable
from sb_worker.mb import MBReader
from sb_worker.metrics import Metrics, make_metrics
from sb_worker.pipeline import Pipeline, Thresholds, Weights, build_pipeline
from sb_worker.settings import Settings
from sb_worker.sinks import Sink, build_sinks
from sb_worker.store import Store


@dataclass
class Runtime:
    """What a worker process works with."""

    settings: Settings
    mb: MBReader
    store: Store
    pipeline: Pipeline
    sinks: list[Sink]
    metrics: Metrics
    schema_checked: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Build every component; configuration errors surface here. Connections open on first use."""
        return cls(
            settings=settings,
            mb=MBReader(settings.mb_dsn),
            store=Store(settings.dsn, Thresholds(settings.review_threshold, settings.auto_threshold)),
            pipeline=offline_pipeline(settings),
            sinks=build_sinks(settings),
            metrics=make_metrics(settings.statsd_host, settings.statsd_port, settings.statsd_prefix),
        )

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

    def close(self) -> None:
        """Close the database connections."""
        self.mb.close()
        self.store.close()


_settings: Settings | None = None
_runtime: Runtime | None = None


def configure(settings: Settings) -> None:
    """Use these settings in this process instead of reading the environment."""
    global _settings
    close()
    _settings = settings


def settings() -> Settings:
    """This process's settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def offline_pipeline(settings: Settings, weights: Weights | None = None) -> Pipeline:
    """The pipeline offline commands use: the same detectors, reputation and weights as the workers."""
    return build_pipeline(settings.detectors, weights=weights, reputation=load_reputation(settings),
                          cache_dir=settings.cache_dir or None)


def validate(settings: Settings) -> None:
    """Raise ConfigError if the detectors, the reputation file or the sinks in ``settings`` are misconfigured."""
    build_pipeline(settings.detectors, reputation=load_reputation(settings))
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
