"""The scoring pipeline, pure and Celery-free: records → features → detectors → a 0–100 score with reasons."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from detectors import Detector, build_detectors
from detectors.base import DetectorConfigError, Features, Verdict
from detectors.reputation import Reputation
from sb_worker.errors import BadInput, ConfigError
from sb_worker.features import extract

#: Stored with every score, so scores of different scorers never mix.
HEURISTIC_VERSION = "heuristic-2"


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


@dataclass(frozen=True)
class Weights:
    """How detector points combine into a probability: ``sigmoid(bias + Σ weight[detector] × points)``."""

    bias: float = -35.0 / 8
    per_detector: Mapping[str, float] = field(default_factory=dict)
    default: float = 1.0 / 8  # for a detector the fit has not seen

    def weight(self, detector: str) -> float:
        return self.per_detector.get(detector, self.default)

    def to_json(self) -> str:
        return json.dumps({"bias": self.bias, "per_detector": dict(sorted(self.per_detector.items())),
                           "default": self.default}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Weights:
        data = json.loads(text)
        return cls(float(data["bias"]), {k: float(v) for k, v in data["per_detector"].items()}, float(data["default"]))

    @classmethod
    def bundled(cls) -> Weights:
        """The weights fitted on the bundled labelled data (``sb fit-weights`` writes them)."""
        return cls.from_json(resources.files("sb_worker.data").joinpath("weights.json").read_text("utf-8"))


class Pipeline:
    """Scores batches of records with a fixed list of detectors, and fitted weights or a trained model.

    With a ``model`` (see ``sb_worker.neural``), the score is the model's calibrated probability for the whole
    batch at once, and the model's version is stored with it; the weights still order the reasons.
    """

    def __init__(self, detectors: Sequence[Detector], weights: Weights | None = None,
                 version: str = HEURISTIC_VERSION, model: Any = None):
        self.detectors = list(detectors)
        self.weights = weights or Weights()
        self.model = model
        self.version = model.version if model is not None else version

    def verdicts(self, kind: str, records: Sequence[Mapping[str, Any]],
                 shape: str | None = None) -> list[RecordError | tuple[Features, list[Verdict]]]:
        """Per record: a RecordError, or its features and every detector's verdict on it. Records of source
        ``kind`` are read as ``shape`` ("editor" or "edit"; by default the kind itself)."""
        results: list[Any] = [None] * len(records)
        good = []
        for i, record in enumerate(records):
            try:
                good.append((i, extract(shape or kind, record)))
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
            results[i] = (features, [verdicts[j] for verdicts in per_detector])
        return results

    def score(self, kind: str, records: Sequence[Mapping[str, Any]], shape: str | None = None,
              network: bool = True) -> list[Score | RecordError]:
        """One result per record, in order; a bad record becomes a :class:`RecordError`, never an exception.

        ``network=False`` leaves the model's network out: the weights alone score (with the model's reputation),
        for a source the network was not trained on, and the version stored is ``<model version>+weights``."""
        results = self.verdicts(kind, records, shape)
        version = self.version if network or self.model is None else f"{self.version}+weights"
        scores = [r if isinstance(r, RecordError) else self.combine(*r, kind=kind, version=version) for r in results]
        good = [i for i, r in enumerate(results) if not isinstance(r, RecordError)]
        if self.model is not None and network and good:
            probabilities = self.model.probabilities([results[i][0] for i in good], [results[i][1] for i in good])
            for i, p in zip(good, probabilities):
                scores[i] = dataclasses.replace(scores[i], score=round(100 * float(p)), model_version=self.version)
        return scores

    def combine(self, features: Features, verdicts: Sequence[Verdict], kind: str | None = None,
                version: str | None = None) -> Score:
        """The score of one record from its detectors' verdicts; reasons in order of contribution."""
        contributions = [(c, v) for v in verdicts if (c := self.weights.weight(v.detector) * v.points)]
        contributions.sort(key=lambda cv: -cv[0])  # stable: registry order breaks ties
        logit = self.weights.bias + sum(c for c, _ in contributions)
        reasons = tuple(Reason(v.detector, v.points, "; ".join(v.reasons)) for _, v in contributions)
        return Score(kind or features.kind, features.entity_id, to_score(logit), reasons, version or self.version)


def to_score(logit: float) -> int:
    """A log-odds of spam as a 0–100 score (a probability × 100)."""
    return round(100 / (1 + math.exp(-max(-50.0, min(50.0, logit)))))


def build_pipeline(detector_config: Mapping[str, Mapping] | None = None, weights: Weights | None = None,
                   reputation: Reputation | None = None, cache_dir: str | None = None, model: Any = None) -> Pipeline:
    """The pipeline with every registered detector, configured and checked; bad configuration is a ConfigError.

    With a model, the detectors use the model's reputation table and its weights order the reasons, so they see
    what the model was trained with.
    """
    if model is not None:
        reputation, weights = model.reputation, model.weights
    try:
        detectors = build_detectors(detector_config, reputation=reputation, cache_dir=cache_dir)
    except DetectorConfigError as exc:
        raise ConfigError(f"SB_DETECTORS: {exc}") from None
    return Pipeline(detectors, Weights.bundled() if weights is None else weights, model=model)
