"""Learning from ninja verdicts: update a copy of the active model, and promote it only through a gate.

The live model is never trained in place. A candidate is a copy of the active model: the verdicts are added to
its reputation table (which the score adds to the network's output at once), and its network is fine-tuned on
the newly judged accounts mixed with a balanced replay sample of the bundled training data (so it neither forgets nor
drifts towards flagging everything), with the verdicts added to its reputation table. The word vectors stay as
they are: their sub-word n-grams already cover new tokens, and retraining them would shift the inputs the frozen
network was trained on. The candidate is promoted only if its precision and its recall at the review threshold,
on held-back verdicts and labels and a fixed reference set, are no lower than the active model's (each minus its
configurable tolerance). The held-back data mixes the ninjas' verdicts on reports with labels SpamBrainz's
threshold did not choose (MusicBrainz's own flags, editors in good standing, audit verdicts), so a candidate that
would miss more of the spam it never reported is refused too.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from detectors.reputation import Reputation
from sb_worker.model.corpus import labelled as bundled
from sb_worker.scoring.pipeline import Pipeline, RecordError, Thresholds, build_pipeline

if TYPE_CHECKING:  # Keras is imported only where a model is used
    from sb_worker.model.neural import NeuralModel

log = logging.getLogger(__name__)
REPLAY = 600         # bundled training records mixed into each update (half spam, half ham when possible)
REFERENCE = 1500     # bundled held-out records every gate also measures on
FINE_TUNE_EPOCHS = 5
LEARNING_RATE = 3e-4  # at 1e-4, 40 ham labels left 62–100% of their beginner look-alikes reported (the wave test)
NEW_WEIGHT = 3.0     # how much more one new verdict counts than one replayed record: they are why we update


@dataclass
class GateReport:
    """What the gate measured, for the log, the note and `sb learn`."""

    active: str
    candidate: str
    active_precision: float
    candidate_precision: float
    active_recall: float
    candidate_recall: float
    records: int
    tolerance: float
    recall_tolerance: float
    promoted: bool = field(default=False)

    def summary(self) -> str:
        verdict = "promoted" if self.promoted else "kept as a candidate"
        return (f"{self.candidate} {verdict}: precision at the review threshold {self.candidate_precision:.4f} "
                f"(active {self.active} {self.active_precision:.4f}, tolerance {self.tolerance:g}), recall "
                f"{self.candidate_recall:.3f} (active {self.active_recall:.3f}, tolerance {self.recall_tolerance:g}) "
                f"on {self.records:,} records")


def merged(table: Reputation, new: Reputation) -> Reputation:
    """A reputation table with another one's counts added."""
    def add(a: Mapping[str, tuple[int, int]], b: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        out = dict(a)
        for key, (spam, ham) in b.items():
            old = out.get(key, (0, 0))
            out[key] = (old[0] + spam, old[1] + ham)
        return dict(sorted(out.items()))
    return Reputation(add(table.domains, new.domains), add(table.email_domains, new.email_domains),
                      tuple(sorted(set(table.spam_simhashes) | set(new.spam_simhashes))))


def replay_sample(seed: int, size: int = REPLAY) -> list[dict[str, Any]]:
    """A balanced sample of the bundled training data."""
    rng = random.Random(seed)
    records = bundled("train")
    spam = [r for r in records if r["label"] == "spam"]
    ham = [r for r in records if r["label"] == "ham"]
    return rng.sample(spam, min(len(spam), size // 2)) + rng.sample(ham, min(len(ham), size - size // 2))


def reference_set() -> list[dict[str, Any]]:
    """A fixed slice of the bundled held-out data: what every gate measures besides the new verdicts."""
    return bundled("test")[:: max(1, len(bundled("test")) // REFERENCE)][:REFERENCE]


def _precision_recall(pipeline: Pipeline, records: Sequence[Mapping[str, Any]], review: float) -> tuple[float, float]:
    results = pipeline.score("editor", records)
    pairs = [(r["label"] == "spam", s.score >= review) for r, s in zip(records, results) if not isinstance(s, RecordError)]
    flagged = [spam for spam, hit in pairs if hit]
    spam_total = sum(spam for spam, _ in pairs)
    return (sum(flagged) / len(flagged) if flagged else 1.0), (sum(flagged) / spam_total if spam_total else 0.0)


def fine_tune(active: NeuralModel, records: Sequence[Mapping[str, Any]], seed: int = 11, cache_dir: str | None = None,
              detector_config: Mapping | None = None, network: bool = True) -> NeuralModel:
    """A new model: the active one with ``records`` (labelled) added to its reputation and, unless
    ``network=False``, its network fine-tuned on them plus replay."""
    import keras

    from sb_worker.model.architecture import keras_inputs, to_keras, to_numpy
    from sb_worker.model.fit import reputation_of
    from sb_worker.model.inputs import network_inputs

    keras.utils.set_random_seed(seed)
    reputation = merged(active.reputation, reputation_of(records))
    recipe = f"{FINE_TUNE_EPOCHS}:{LEARNING_RATE}:{NEW_WEIGHT}:{REPLAY}:{seed}" if network else "reputation-only"
    digest = hashlib.sha256(f"{active.version}:{sorted(json_key(r) for r in records)}:{recipe}".encode()).hexdigest()
    metadata = {**active.metadata, "created_with": "learning", "parent": active.version, "verdicts": len(records),
                "updated": "network and reputation" if network else "reputation"}
    if not network:
        return replace(active, version=f"nn-{digest[:12]}", reputation=reputation, metadata=metadata)
    pipeline = build_pipeline(detector_config, weights=active.weights, reputation=reputation, cache_dir=cache_dir)
    mixed = list(records) + replay_sample(seed)
    rows = [(r, *res) for r, res in zip(mixed, pipeline.verdicts("editor", mixed)) if not isinstance(res, RecordError)]
    inputs = keras_inputs(network_inputs([f for _, f, _ in rows], [v for _, _, v in rows], active.word_vectors,
                                         active.detectors, active.meta_mean, active.meta_scale))
    y = np.array([1.0 if r["label"] == "spam" else 0.0 for r, _, _ in rows], dtype=np.float32)
    weight = np.array([NEW_WEIGHT if i < len(records) else 1.0 for i in range(len(rows))], dtype=np.float32)
    network = to_keras(active.network, seed)
    network.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, name="adam"), loss="binary_crossentropy")
    network.fit(inputs, y, sample_weight=weight, epochs=FINE_TUNE_EPOCHS, batch_size=64, verbose=0, shuffle=True)
    return replace(active, version=f"nn-{digest[:12]}", network=to_numpy(network), reputation=reputation,
                   metadata=metadata)


def learn(active: NeuralModel, records: Sequence[Mapping[str, Any]], thresholds: Thresholds, tolerance: float = 0.0,
          recall_tolerance: float = 0.02, seed: int = 11, cache_dir: str | None = None,
          detector_config: Mapping | None = None) -> tuple[Any, GateReport]:
    """A candidate through the gate: network and reputation first; if the gate refuses it, reputation alone.

    Returns the last candidate tried and its gate report (``promoted`` says whether it may go live).
    """
    learn_from, held = split_verdicts(records)
    for network in (True, False):
        candidate = fine_tune(active, learn_from, seed, cache_dir, detector_config, network=network)
        report = gate(active, candidate, held, thresholds, tolerance, recall_tolerance, cache_dir)
        log.warning("%s", report.summary())
        if report.promoted:
            break
    return candidate, report


def json_key(record: Mapping[str, Any]) -> str:
    return hashlib.sha1(repr(sorted((k, repr(v)) for k, v in record.items())).encode()).hexdigest()


def gate(active: NeuralModel, candidate: NeuralModel, held_back: Sequence[Mapping[str, Any]], thresholds: Thresholds,
         tolerance: float = 0.0, recall_tolerance: float = 0.02, cache_dir: str | None = None) -> GateReport:
    """Compare a candidate with the active model on held-back verdicts and labels and the reference set: it passes
    when it loses no more than ``tolerance`` of precision and ``recall_tolerance`` of recall."""
    records = list(held_back) + reference_set()
    before = _precision_recall(build_pipeline(model=active, cache_dir=cache_dir), records, thresholds.review)
    after = _precision_recall(build_pipeline(model=candidate, cache_dir=cache_dir), records, thresholds.review)
    report = GateReport(active.version, candidate.version, before[0], after[0], before[1], after[1], len(records),
                        tolerance, recall_tolerance)
    report.promoted = after[0] >= before[0] - tolerance and after[1] >= before[1] - recall_tolerance
    return report


def split_verdicts(records: Sequence[Mapping[str, Any]]) -> tuple[list, list]:
    """Verdict and label records to learn from, and every fifth held back for the gate."""
    learn, held = [], []
    for i, record in enumerate(records):
        (held if i % 5 == 4 else learn).append(record)
    return learn, held



def verdict_records(sources: Mapping[str, Any], verdicts: Sequence[Mapping[str, Any]],
                    labels: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The judged accounts as labelled account records (an edit's verdict judges its editor), and the harvested
    ``labels`` with the records they were stored with; the latest verdict or label on an account wins. Only
    sources the network scores count: verdicts on others (or on a source no longer configured) stay stored and
    counted in the statistics, but the model does not learn from them."""
    account_of: dict[tuple[str, int], tuple[str, int]] = {}
    for kind in {v["kind"] for v in verdicts} & {k for k, s in sources.items() if s.scored_by_network}:
        source, ids = sources[kind], sorted({v["entity_id"] for v in verdicts if v["kind"] == kind})
        if source.shape == "editor":
            account_of.update({(kind, i): (kind, i) for i in ids})
        else:
            account_of.update({(kind, r["id"]): (source.account_kind, r["editor"]) for r in source.load(ids)[0]})
    latest: dict[tuple[str, int], tuple[str, Mapping[str, Any] | None]] = {}  # (label, the record stored with it)
    events = [(v["created_at"], v["verdict"], account_of.get((v["kind"], v["entity_id"])), None) for v in verdicts]
    events += [(lb["created_at"], lb["label"], (lb["kind"], lb["entity_id"]), lb["record"]) for lb in labels]
    for _, label, account, record in sorted((e for e in events if e[2] is not None), key=lambda e: e[0]):
        latest[account] = (label, record)
    records = [{**record, "label": label} for label, record in latest.values() if record is not None]
    to_load = [account for account, (_, record) in latest.items() if record is None]
    for kind in dict.fromkeys(k for k, _ in to_load):
        found, _ = sources[kind].load([i for k, i in to_load if k == kind])
        records += [{**record, "label": latest[(kind, record["id"])][0]} for record in found]
    return records
