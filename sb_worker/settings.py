"""The one typed settings object, read from ``SB_*`` environment variables when asked, never at import."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import psycopg2.extensions

from sb_worker.errors import ConfigError

#: A record with no evidence in its payload scores at most this (``sb_worker.scoring.pipeline``): metadata alone never
#: starts a report, so the review threshold must lie above it.
NO_EVIDENCE_CEILING = 25

PREFIX = "SB_"


def _parse_names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _parse_optional_float(raw: str) -> float | None:
    return None if raw.strip().lower() in ("", "off", "none") else float(raw)


def _parse_rates(raw: str) -> tuple[float, ...]:
    return tuple(float(part) for part in raw.split(",") if part.strip())


def _parse_json_object(raw: str) -> dict:
    value = json.loads(raw) if raw.strip() else {}
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything SpamBrainz can be told; each field is read from ``SB_<FIELD NAME IN CAPITALS>``."""

    mb_dsn: str = "postgresql:///musicbrainz_db"
    bookbrainz_dsn: str = "postgresql:///bookbrainz"     # the bookbrainz_editor source's database
    dsn: str = "postgresql:///spambrainz"
    broker_url: str = "redis://localhost:6379/0"
    statsd_host: str = ""
    statsd_port: int = 8125
    statsd_prefix: str = "spambrainz"
    chunk_size: int = 500
    review_threshold: float = 50.0
    auto_threshold: float | None = field(default=None, metadata={"parse": _parse_optional_float})
    sources: tuple[str, ...] = field(default=("editor", "edit"), metadata={"parse": _parse_names})
    report_sinks: tuple[str, ...] = field(default=(), metadata={"parse": _parse_names})
    webhook_url: str = ""
    webhook_timeout_s: float = 10.0          # also the mail and MusicBrainz sinks' timeout
    smtp_host: str = "localhost"             # the mail sink's SMTP server
    smtp_port: int = 25
    mail_from: str = "spambrainz@localhost"
    mail_to: str = ""                        # the account admins' address
    mb_report_url: str = ""                  # the MusicBrainz sink's endpoint
    mb_report_token: str = ""
    reporter_id: int = 4                     # the editor reports are signed as: ModBot by default
    reporter_name: str = "ModBot"
    public_url: str = "http://localhost:8080"  # where people reach this SpamBrainz (links in reports)
    data_dir: str = ".sb-data"
    cache_dir: str = field(default_factory=lambda: str(Path.home() / ".cache" / "spambrainz"))
    reputation_file: str = ""
    model_dir: str = field(default_factory=lambda: str(Path.home() / ".cache" / "spambrainz" / "models"))
    model_check_s: float = 10.0
    score_wait_s: float = 15.0        # POST /v1/score and the review page's scorer wait this long for a worker
    max_queue_depth: int = 1000
    broker_timeout_s: float = 2.0     # the longest any Redis call waits (connect or answer); then 503 / a retry
    db_timeout_s: float = 10.0        # the longest any database wait lasts (connecting, a statement)
    db_long_timeout_s: float = 600.0  # ... in a read of whole tables (`sb enqueue`, backfills, streams)
    feedback_batch: int = 20
    feedback_wait_s: float = 30.0
    gate_tolerance: float = 0.0       # the precision a candidate model may lose at the gate ...
    gate_recall_tolerance: float = 0.02  # ... and the recall
    harvest_every_s: float = 3600.0   # Celery beat harvests MusicBrainz's own labels this often; 0: cron's `sb harvest`
    harvest_ham_max: int = 200        # ham labels a harvest takes at most, drawn across score bands
    harvest_first_days: float = 30.0  # the first harvest reads the accounts changed in these last days
    audit_rates: tuple[float, ...] = field(default=(0.002, 0.01, 0.03, 0.1), metadata={"parse": _parse_rates})
    audit_days: float = 90.0          # recall is estimated on the accounts scanned in these last days
    visibility_timeout_s: int = 3600
    task_soft_time_limit_s: int = 300
    enqueue_overlap_s: int = 600
    enqueue_every_s: float = 0.0      # Celery beat runs `sb enqueue`'s work this often; 0: cron does it
    missing_every_s: float = 86400.0  # Celery beat queues again what no scan covered (`sb enqueue --missing`); 0: off
    gauges_every_s: float = 30.0      # Celery beat sends the queue, precision and model gauges this often
    musicbrainz_url: str = "https://musicbrainz.org"   # where the review page links accounts and edits
    bookbrainz_url: str = "https://bookbrainz.org"     # ... and BookBrainz accounts
    appeal_contact: str = "https://metabrainz.org/contact"  # where the public page sends an appeal (a URL or a mail)
    detectors: dict = field(default_factory=dict, metadata={"parse": _parse_json_object})

    def __post_init__(self) -> None:
        for name in ("dsn", "mb_dsn", "bookbrainz_dsn"):
            try:
                psycopg2.extensions.parse_dsn(getattr(self, name))
            except psycopg2.ProgrammingError as exc:
                raise ConfigError(f"SB_{name.upper()} is not a PostgreSQL connection string (postgresql://user@host/db "
                                  f"or key=value pairs): {str(exc).strip()}") from None
        if self.chunk_size < 1:
            raise ConfigError(f"SB_CHUNK_SIZE must be at least 1, got {self.chunk_size}")
        for name in ("review_threshold", "auto_threshold"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                raise ConfigError(f"SB_{name.upper()} must be between 0 and 100, got {value}")
        if self.review_threshold <= NO_EVIDENCE_CEILING:
            raise ConfigError(f"SB_REVIEW_THRESHOLD must be above {NO_EVIDENCE_CEILING} (the most a record with no "
                              f"evidence scores), got {self.review_threshold}")
        # The broker must not hand a running task to a second worker: the timeout outlives the longest task.
        if self.visibility_timeout_s <= self.task_soft_time_limit_s * 2:
            raise ConfigError(
                f"SB_VISIBILITY_TIMEOUT_S ({self.visibility_timeout_s}) must be more than twice "
                f"SB_TASK_SOFT_TIME_LIMIT_S ({self.task_soft_time_limit_s})")
        if not 0 < self.db_timeout_s <= self.db_long_timeout_s:
            raise ConfigError(f"SB_DB_TIMEOUT_S ({self.db_timeout_s}) must be positive and at most "
                              f"SB_DB_LONG_TIMEOUT_S ({self.db_long_timeout_s})")
        if not self.broker_timeout_s > 1:  # a worker's BRPOP waits 1 s for a message; its socket must outlast that
            raise ConfigError(f"SB_BROKER_TIMEOUT_S must be more than 1 (a worker polls Redis for 1 s at a time), "
                              f"got {self.broker_timeout_s}")
        if self.gauges_every_s <= 0:
            raise ConfigError(f"SB_GAUGES_EVERY_S must be positive, got {self.gauges_every_s}")
        for name in ("enqueue_every_s", "harvest_every_s", "missing_every_s"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{PREFIX}{name.upper()} must be zero (off) or positive, got {getattr(self, name)}")
        if len(self.audit_rates) > 4 or not all(0 <= r <= 1 for r in self.audit_rates):
            raise ConfigError("SB_AUDIT_RATES must be at most 4 shares from 0 to 1, comma-separated: the shares of "
                              "the score bands 0-10, 10-25, 25-40 and 40-review drawn for audit; got "
                              f"{self.audit_rates}")
        for sink, needed in (("webhook", ("webhook_url",)), ("mail", ("mail_to",)),
                             ("musicbrainz", ("mb_report_url", "mb_report_token"))):
            for name in needed:
                if sink in self.report_sinks and not getattr(self, name):
                    raise ConfigError(f"SB_REPORT_SINKS names {sink!r} but SB_{name.upper()} is empty")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment); unknown ``SB_`` names are errors."""
        environ = os.environ if environ is None else environ
        by_var = {PREFIX + f.name.upper(): f for f in fields(cls)}
        unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in by_var)
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(by_var))}")
        values: dict[str, Any] = {}
        for var, f in by_var.items():
            if var in environ:
                values[f.name] = _parse(var, f, environ[var])
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """These settings as ``SB_*`` variables, for a child process."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                text = ",".join(map(str, value))
            elif isinstance(value, dict):
                text = json.dumps(value)
            elif value is None:
                text = "off"
            else:
                text = str(value)
            env[PREFIX + f.name.upper()] = text
        return env

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _parse(var: str, f: dataclasses.Field, raw: str) -> Any:
    parse = f.metadata.get("parse") or {"int": int, "float": float, "str": str}[str(f.type)]
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{var}: cannot read {raw!r} ({exc})") from None
