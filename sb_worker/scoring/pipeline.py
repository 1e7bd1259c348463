"""The scoring pipeline, pure and Celery-free: records → features → detectors → a 0–100 score with reasons."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from typing import Any, Protocol

from detectors import Detector, build_detectors
from detectors.base import DetectorConfigError, Features, Match, Verdict
from detectors.lists import ListEntry, NinjaLists
from detectors.reputation import Reputation, simhash
from sb_worker.errors import BadInput, ConfigError
from sb_worker.scoring.evidence import Spans
from sb_worker.scoring.features import extract
from sb_worker.settings import NO_EVIDENCE_CEILING

#: Stored with every score, so scores of different scorers never mix.
HEURISTIC_VERSION = "heuristic-3"
#: The reason the model gives when words of the text carried its score (see ``NeuralModel.explain``).
MODEL_REASON = "model_text"


@dataclass(frozen=True)
class Reason:
    """One detector's contribution to a score: why, in words, and where its evidence stands in the record (see
    :mod:`sb_worker.scoring.evidence`; given for scores above ``NO_EVIDENCE_CEILING``, which can be reported)."""

    detector: str
    points: float
    why: str
    evidence: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Score:
    """The score of one entity, with its reasons in order of contribution."""

    kind: str
    entity_id: int
    score: int
    reasons: tuple[Reason, ...]
    model_version: str
    text_hash: int | None = None  # the text's SimHash, for a score that can be reported: it groups near-copies
    log_odds: float | None = None  # the score before rounding, as log-odds: it orders scores that round alike

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
        if self.review <= NO_EVIDENCE_CEILING:
            raise BadInput(f"the review threshold must be above {NO_EVIDENCE_CEILING} (the most a record with no "
                           f"evidence scores), got {self.review:g}")
        if self.auto is not None and not self.review < self.auto <= 100:
            raise BadInput(f"the auto threshold must be above the review threshold ({self.review:g}) "
                           f"and at most 100, got {self.auto:g}")

    def action(self, score: float) -> str:
        """"auto", "review" or "none" for a score."""
        if self.auto is not None and score >= self.auto:
            return "auto"
        return "review" if score >= self.review else "none"


#: Detectors whose points are taken at a set weight, not one fitted: no labelled record carries their evidence, so a
#: fit would give them nothing (and a fitted file's 0 for them is not read). The ninjas' lists are their own judgement;
#: an edit's content is evidence only edits carry, and the weights are fitted on accounts. 8 points are one unit of
#: log-odds.
FIXED_WEIGHTS = {"ninja_lists": 1 / 8, "edit_content": 1 / 8}


@dataclass(frozen=True)
class Weights:
    """How detector points combine into a probability: ``sigmoid(bias + Σ weight[detector] × points)``."""

    bias: float = -35.0 / 8
    per_detector: Mapping[str, float] = field(default_factory=dict)
    default: float = 1.0 / 8  # for a detector the fit has not seen

    def weight(self, detector: str) -> float:
        return FIXED_WEIGHTS.get(detector, self.per_detector.get(detector, self.default))

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


class Model(Protocol):
    """What the pipeline needs of a trained model (``sb_worker.model.neural.NeuralModel`` is one)."""

    version: str
    reputation: Reputation
    weights: Weights
    rules: Mapping[str, float]  # what a point of each written rule adds to the model's log-odds

    def log_odds(self, features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]]) -> Any: ...

    def explain(self, features: Sequence[Features]) -> list[tuple[tuple[str, float], ...]]: ...


class Pipeline:
    """Scores batches of records with a fixed list of detectors, and fitted weights or a trained model.

    With a ``model`` (see ``sb_worker.model.neural``), the score is the model's calibrated probability (its log-odds
    for the whole batch at once), and the model's version is stored with it; the weights still order the reasons (a
    written rule at the model's own weight for it), and the words the model names join them. Either way, a record
    whose payload gives no evidence (no detector that reads it fired, and the model names no words) scores at most
    ``NO_EVIDENCE_CEILING``, in the same order.
    """

    def __init__(self, detectors: Sequence[Detector], weights: Weights | None = None,
                 version: str = HEURISTIC_VERSION, model: Model | None = None):
        self.detectors = list(detectors)
        self.weights = weights or Weights()
        self.model = model
        self.version = model.version if model is not None else version
        # A model's score weighs a written rule at the model's own weight for it: its reasons are weighed the same.
        self.model_weights = self.weights if model is None else \
            replace(self.weights, per_detector={**self.weights.per_detector, **model.rules})
        self.evidence = frozenset(d.name for d in self.detectors if d.evidence)

    def with_lists(self, lists: Sequence[ListEntry]) -> Pipeline:
        """This pipeline with the ninjas' lists detector given ``lists`` (the others, the weights and the model as
        they are); unchanged when that detector is switched off."""
        detectors = [type(d)(block=d.block, allow=d.allow, lists=lists).fit() if isinstance(d, NinjaLists) else d
                     for d in self.detectors]
        return Pipeline(detectors, self.weights, self.version, self.model)

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
              by_network: bool = True) -> list[Score | RecordError]:
        """One result per record, in order; a bad record becomes a :class:`RecordError`, never an exception.

        ``by_network=False`` leaves the model's network out: the weights alone score (with the model's reputation),
        for a source the network was not trained on, and the version stored is ``<model version>+weights``."""
        results = self.verdicts(kind, records, shape)
        use_network = self.model is not None and by_network
        version = self.version if by_network or self.model is None else f"{self.version}+weights"
        good = [i for i, r in enumerate(results) if not isinstance(r, RecordError)]
        log_odds: dict[int, float] = {}
        words: dict[int, tuple[tuple[str, float], ...]] = {}
        if use_network and good:
            features, verdicts = [results[i][0] for i in good], [results[i][1] for i in good]
            log_odds = dict(zip(good, map(float, self.model.log_odds(features, verdicts))))
            # Words are named where they can matter: below the ceiling, evidence or not, a score is the same.
            worth = [i for i in good if 100 * sigmoid(log_odds[i]) > NO_EVIDENCE_CEILING]
            words = dict(zip(worth, self.model.explain([results[i][0] for i in worth])))
        return [r if isinstance(r, RecordError) else
                self.combine(*r, kind=kind, version=version, log_odds=log_odds.get(i), words=words.get(i, ()))
                for i, r in enumerate(results)]

    def combine(self, features: Features, verdicts: Sequence[Verdict], kind: str | None = None,
                version: str | None = None, log_odds: float | None = None,
                words: Sequence[tuple[str, float]] = ()) -> Score:
        """The score of one record from its detectors' verdicts (or the model's ``log_odds`` and the ``words``
        it names); reasons in order of contribution."""
        weights = self.weights if log_odds is None else self.model_weights
        contributions = [(c, Reason(v.detector, v.points, "; ".join(v.reasons)))
                         for v in verdicts if (c := weights.weight(v.detector) * v.points)]
        matches = {v.detector: v.evidence for v in verdicts}
        if log_odds is None:
            log_odds = self.weights.bias + sum(c for c, _ in contributions)
        if words:
            total = sum(value for _, value in words)
            named = ", ".join(f"{phrase!r} (+{value:.1f})" for phrase, value in words)
            contributions.append((total, Reason(MODEL_REASON, round(total, 2), f"text reads like spam to the model: {named}")))
            matches[MODEL_REASON] = tuple(Match("text", phrase) for phrase, _ in words)
        contributions.sort(key=lambda cr: -cr[0])  # stable: registry order breaks ties
        # Evidence is what the reasons show: a detector weighted zero gives no reason, so it is no evidence either.
        evidence = bool(words) or any(r.points > 0 and r.detector in self.evidence for _, r in contributions)
        if not evidence:  # the ceiling scales the probability, so the log-odds kept are of the scaled one
            log_odds = logit(NO_EVIDENCE_CEILING / 100 * sigmoid(log_odds))
        log_odds = bounded(log_odds)
        score = to_score(log_odds)
        reasons, text_hash = [r for _, r in contributions], None
        if score > NO_EVIDENCE_CEILING:  # what can be reported shows where its evidence stands, and what it copies
            spans = Spans(features)
            reasons = [replace(r, evidence=spans.of(matches.get(r.detector, ()))) for r in reasons]
            text_hash = simhash(features.skeleton)
        return Score(kind or features.kind, features.entity_id, score, tuple(reasons), version or self.version,
                     text_hash, log_odds)


#: Log-odds beyond this are taken as this: a probability is then 0 or 1 to within 2e-22.
LOG_ODDS_LIMIT = 50.0


def bounded(log_odds: float) -> float:
    """A log-odds within ±``LOG_ODDS_LIMIT``."""
    return max(-LOG_ODDS_LIMIT, min(LOG_ODDS_LIMIT, log_odds))


def sigmoid(logit: float) -> float:
    """A log-odds as a probability."""
    return 1 / (1 + math.exp(-bounded(logit)))


def logit(probability: float) -> float:
    """A probability below 1 as a log-odds (the inverse of :func:`sigmoid`; a probability of 0 is the lowest)."""
    return math.log(probability / (1 - probability)) if probability > 0 else -LOG_ODDS_LIMIT


def to_score(logit: float) -> int:
    """A log-odds of spam as a 0–100 score (a probability × 100)."""
    return round(100 * sigmoid(logit))


def build_pipeline(detector_config: Mapping[str, Mapping] | None = None, weights: Weights | None = None,
                   reputation: Reputation | None = None, cache_dir: str | None = None,
                   model: Model | None = None, lists: Sequence[ListEntry] = ()) -> Pipeline:
    """The pipeline with every registered detector, configured and checked; bad configuration is a ConfigError.

    With a model, the detectors use the model's reputation table and its weights order the reasons, so they see
    what the model was trained with.
    """
    if model is not None:
        reputation, weights = model.reputation, model.weights
    try:
        detectors = build_detectors(detector_config, reputation=reputation, cache_dir=cache_dir, lists=tuple(lists))
    except DetectorConfigError as exc:
        raise ConfigError(f"SB_DETECTORS: {exc}") from None
    return Pipeline(detectors, Weights.bundled() if weights is None else weights, model=model)
