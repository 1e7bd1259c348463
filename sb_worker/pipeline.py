"""The scoring pipeline, pure and Celery-free: records → features → detectors → a 0–100 score with reasons."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from detectors import Detector, build_detectors
from detectors.base import DetectorConfigError
from sb_worker.errors import BadInput, ConfigError
from sb_worker.features import extract

#: Stored with every score, so scores of different scorers never mix.
HEURISTIC_VERSION = "heuristic-1"


@dataclass(frozen=True)
class Reason:
    """One detector's contribution to a score."""

    detector: str
    points: float
    why: str


@dataclass(frozen=True)
class Score:
    """The score of one entity, with its reasons in order of contribution."""

    kind: str
    entity_id: int
    score: int
    reasons: tuple[Reason, ...]
    model_version: str

    def reasons_json(self) -> list[dict[str, Any]]:
        """The reasons as JSON-ready objects."""
        return [asdict(r) for r in self.reasons]


@dataclass(frozen=True)
class RecordError:
    """A record (or ID) that could not be scored, and what is wrong with it."""

    kind: str
    entity: str
    error: str


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above ``review`` are reported to ninjas; at or above ``auto`` (when set), marked for action."""

    review: float
    auto: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.review <= 100:
            raise BadInput(f"the review threshold must be between 0 and 100, got {self.review:g}")
        if self.auto is not None and not self.review < self.auto <= 100:
            raise BadInput(f"the auto threshold must be above the review threshold ({self.review:g}) "
                           f"and at most 100, got {self.auto:g}")

    def action(self, score: float) -> str:
        """"auto", "review" or "none" for a score."""
        if self.auto is not None and score >= self.auto:
            return "auto"
        return "review" if score >= self.review else "none"


class Pipeline:
    """Scores batches of records with a fixed list of detectors."""

    def __init__(self, detectors: Sequence[Detector], midpoint: float = 35.0, spread: float = 8.0,
                 version: str = HEURISTIC_VERSION):
        self.detectors = list(detectors)
        self.midpoint = midpoint
        self.spread = spread
        self.version = version

    def score(self, kind: str, records: Sequence[Mapping[str, Any]]) -> list[Score | RecordError]:
        """One result per record, in order; a bad record becomes a :class:`RecordError`, never an exception."""
        results: list[Score | RecordError | None] = [None] * len(records)
        good = []
        for i, record in enumerate(records):
            try:
                good.append((i, extract(kind, record)))
            except BadInput as exc:
                entity = record.get("id") if isinstance(record, Mapping) else None
                results[i] = RecordError(kind, str(entity), str(exc))
        batch = [f for _, f in good]
        per_detector = []
        for detector in self.detectors:
            verdicts = detector.score(batch)
            if len(verdicts) != len(batch):
                raise RuntimeError(f"detector {detector.name!r} answered {len(verdicts)} verdicts for {len(batch)} records")
            per_detector.append(verdicts)
        for j, (i, features) in enumerate(good):
            reasons = [Reason(v.detector, v.points, "; ".join(v.reasons))
                       for v in (verdicts[j] for verdicts in per_detector) if v.points]
            reasons.sort(key=lambda r: -r.points)  # stable: registry order breaks ties
            total = sum(r.points for r in reasons)
            results[i] = Score(kind, features.entity_id, self.to_score(total), tuple(reasons), self.version)
        return results  # type: ignore[return-value]

    def to_score(self, points: float) -> int:
        """Map summed points to 0–100 with a logistic curve centred on ``midpoint``."""
        z = max(-50.0, min(50.0, (points - self.midpoint) / self.spread))
        return round(100 / (1 + math.exp(-z)))


def build_pipeline(detector_config: Mapping[str, Mapping] | None = None) -> Pipeline:
    """The pipeline with every registered detector, configured and checked; bad configuration is a ConfigError."""
    try:
        return Pipeline(build_detectors(detector_config))
    except DetectorConfigError as exc:
        raise ConfigError(f"SB_DETECTORS: {exc}") from None
