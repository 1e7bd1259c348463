"""Training the network: the recipe (a version hashed from data, the detectors' lists, seed and settings), the
out-of-source calibration folds, early stopping, and Platt scaling on the predictions of models that never saw a
source."""


from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not for operators
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")  # same seed, same model

import keras  # noqa: E402
import numpy as np  # noqa: E402
from gensim.models import FastText  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from detectors import data as detector_lists  # noqa: E402
from detectors.base import Features, Verdict  # noqa: E402
from detectors.registry import LEARNED, RULES  # noqa: E402
from detectors.reputation import Reputation  # noqa: E402
from sb_worker.model import evaluation  # noqa: E402
from sb_worker.model.architecture import build, keras_inputs, to_numpy  # noqa: E402
from sb_worker.model.inputs import HASH_BUCKETS, META, WordVectors, meta_row, network_inputs, network_text  # noqa: E402
from sb_worker.model.neural import VECTOR_SIZE, NeuralModel, library_versions  # noqa: E402
from sb_worker.scoring.pipeline import Pipeline, RecordError, Weights  # noqa: E402


# -- training ---------------------------------------------------------------------------------------------------
def _split(record: Mapping[str, Any]) -> int:
    """A stable bucket 0–99 from the record's content, so that splits never change and never leak."""
    return int(hashlib.sha1(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:8], 16) % 100


def data_hash(records: Sequence[Mapping[str, Any]]) -> str:
    """A fingerprint of the training data."""
    digest = hashlib.sha256()
    for line in sorted(json.dumps(r, sort_keys=True, default=str) for r in records):
        digest.update(line.encode())
    return digest.hexdigest()


def _platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    z = _logit(raw)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-(theta[0] * z + theta[1])))
        nll = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
        return nll, np.array([np.sum((p - y) * z), np.sum(p - y)])

    result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(1e-3, None), (None, None)])
    return float(result.x[0]), float(result.x[1])


RECIPE = 6  # bumped whenever training changes in a way the rest of the recipe (data, lists, settings) does not show


CALIBRATION_FOLDS = 3  # sources are dealt into this many folds for out-of-source calibration


Row = tuple[Mapping[str, Any], Features, list[Verdict]]


def train(records: Sequence[Mapping[str, Any]], make_pipeline: Callable[[Reputation | None], Pipeline],
          seed: int = 7, epochs: int = 80, vector_size: int = VECTOR_SIZE) -> NeuralModel:
    """Train a model on labelled editor records (``"label": "spam" | "ham"``): a network, and the detector weights
    fitted on the same records as ``sb fit-weights`` fits them (the learned detectors' evidence is added to the
    network's output at these weights, and edits are scored by them), so that nothing of the model was fitted on
    other data.

    The records are split by content: 70% fit the network, 15% decide early stopping, 15% measure it. Records
    that name their ``"source"`` (the corpus's do) are calibrated out of source: their sources are dealt into
    ``CALIBRATION_FOLDS`` folds, a network is trained without each fold and scores it, and Platt scaling is fitted
    on those predictions, so that a probability means what it says on text unlike the training data. With fewer
    than three sources, the 15% held out calibrate. On the same predictions, the written rules (``RULES``) are
    given what their points add to the calibrated network, so a rule counts where it catches spam the networks had
    not seen. The network reads the detectors whose evidence does not come from verdicts; the others are added to
    its output at their fitted weights (see :meth:`NeuralModel.log_odds`).
    """
    from sb_worker.model.fit import cross_fitted_points, fit_weights, reputation_of

    labelled = [r for r in records if r.get("label") in ("spam", "ham")]
    pipeline = make_pipeline(None)  # the network reads no reputation: that is added after it (see log_odds)
    rows: list[Row] = [(record, *result) for record, result in zip(labelled, pipeline.verdicts("editor", labelled))
                       if not isinstance(result, RecordError)]
    names = [d.name for d in pipeline.detectors if d.name not in LEARNED]
    model, held = _fit(rows, names, seed, epochs, vector_size)
    model.reputation = reputation_of(labelled)
    model.weights = fit_weights(*cross_fitted_points(labelled, make_pipeline))
    y_held = _labels(held)
    raw_held = model.raw([f for _, f, _ in held], [v for _, _, v in held])
    sources = sorted({str(r["source"]) for r, _, _ in rows if r.get("source")})
    if len(sources) >= CALIBRATION_FOLDS:
        raw_out, cal_rows = [], []
        for k in range(CALIBRATION_FOLDS):
            left_out = set(sources[k::CALIBRATION_FOLDS])
            kept = [row for row in rows if row[0].get("source") not in left_out]
            if len(set(_labels(kept))) < 2:
                continue  # nothing to learn one label from
            fold_model, _ = _fit(kept, names, seed, epochs, vector_size)
            scored = [row for row in rows if row[0].get("source") in left_out]
            raw_out.append(fold_model.raw([f for _, f, _ in scored], [v for _, _, v in scored]))
            cal_rows += scored
        raw_cal, calibrated_on = np.concatenate(raw_out), "out-of-source"
    else:
        raw_cal, cal_rows, calibrated_on = raw_held, held, "held-out split"
    y_cal = _labels(cal_rows)
    a, b = _platt(raw_cal, y_cal)
    # What the written rules add to the calibrated network, fitted where the network had not seen the text: a rule
    # counts by what it catches that the network misses on unseen sources (and the bias takes back what it adds).
    rules = fit_weights(list(RULES), _points(cal_rows, RULES), y_cal, offset=_logit(raw_cal) * a + b)
    model.calibration, model.rules = (a, b + rules.bias), dict(rules.per_detector)
    probabilities = _stacked(model, raw_held, held)
    fingerprint = data_hash(labelled)
    recipe = (f"{RECIPE}:{fingerprint}:{detector_lists.fingerprint()}:{seed}:{epochs}:{vector_size}:{HASH_BUCKETS}:"
              f"{META}:{names}:{LEARNED}:{RULES}:{calibrated_on}:{build(vector_size, len(names), seed).to_json()}")
    model.version = f"nn-{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"
    model.metadata = {
        "created_with": "sb train", "seed": seed, "data_hash": fingerprint,
        "libraries": {**library_versions(), "backend": keras.backend.backend()},
        "metrics": {"held_out_records": int(len(y_held)), "roc_auc": round(evaluation.roc_auc(y_held, probabilities), 4),
                    "pr_auc": round(evaluation.pr_auc(y_held, probabilities), 4),
                    "calibrated_on": calibrated_on, "calibration_records": int(len(y_cal)),
                    "reliability": evaluation.reliability(y_cal, _stacked(model, raw_cal, cal_rows)),
                    "rules": model.rules},
    }
    return model


def _logit(raw: np.ndarray) -> np.ndarray:
    return np.log(np.clip(raw, 1e-7, 1 - 1e-7) / np.clip(1 - raw, 1e-7, 1))


def _points(rows: Sequence[Row], detectors: Sequence[str]) -> np.ndarray:
    """The points each of ``detectors`` gave each row, as a matrix."""
    return np.array([[sum(v.points for v in verdicts if v.detector == name) for name in detectors]
                     for _, _, verdicts in rows], dtype=np.float64).reshape(len(rows), len(detectors))


def _stacked(model: NeuralModel, raw: np.ndarray, rows: Sequence[Row]) -> np.ndarray:
    """The model's probabilities from its networks' raw outputs on ``rows``, as scoring computes them."""
    return 1 / (1 + np.exp(-model.combined(raw, [v for _, _, v in rows])))


def _labels(rows: Sequence[Row]) -> np.ndarray:
    return np.array([1.0 if r.get("label") == "spam" else 0.0 for r, _, _ in rows], dtype=np.float32)


def _fit(rows: Sequence[Row], names: list[str], seed: int, epochs: int, vector_size: int) -> tuple[NeuralModel, list[Row]]:
    """An uncalibrated model fitted on ``rows`` (70% fit, 15% stop early), and the 15% it never saw."""
    keras.utils.set_random_seed(seed)
    parts: dict[str, list[Row]] = {"fit": [], "stop": [], "held": []}
    for row in rows:
        bucket = _split(row[0])
        parts["fit" if bucket < 70 else "stop" if bucket < 85 else "held"].append(row)

    vectors = FastText(vector_size=vector_size, window=5, min_count=2, min_n=3, max_n=5, bucket=2**16, workers=1,
                       seed=seed, epochs=10)
    docs = [words for words in (network_text(f).split()[:500] for _, f, _ in parts["fit"]) if words]
    vectors.build_vocab(corpus_iterable=docs)
    vectors.train(corpus_iterable=docs, total_examples=len(docs), epochs=10)

    meta_fit = np.array([meta_row(f) for _, f, _ in parts["fit"]], dtype=np.float32)
    # A figure that never varies in training teaches nothing: it is scaled to nothing rather than blown up, so a
    # source where it does vary (accounts, after training on bare texts) cannot push the network anywhere.
    spread = meta_fit.std(axis=0)
    mean, scale = meta_fit.mean(axis=0), np.where(spread > 1e-6, spread, 1e12).astype(np.float32)
    network = build(vector_size, len(names), seed)
    word_vectors = WordVectors(vectors)

    def arrays(part: list[Row]) -> tuple[list[np.ndarray], np.ndarray]:
        inputs = keras_inputs(network_inputs([f for _, f, _ in part], [v for _, _, v in part], word_vectors, names,
                                             mean, scale))
        return inputs, _labels(part)

    (x_fit, y_fit), (x_stop, y_stop) = arrays(parts["fit"]), arrays(parts["stop"])
    spam_share = float(y_fit.mean())
    network.compile(optimizer=keras.optimizers.Adam(1e-3, name="adam"), loss="binary_crossentropy")
    network.fit(x_fit, y_fit, validation_data=(x_stop, y_stop), epochs=epochs, batch_size=128, verbose=0,
                shuffle=True, class_weight={0: 0.5 / (1 - spam_share), 1: 0.5 / spam_share},
                callbacks=[keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)])
    model = NeuralModel("unsaved", to_numpy(network), vectors, names, mean, scale, (1.0, 0.0), Weights.bundled(),
                        Reputation(), {})
    return model, parts["held"]
