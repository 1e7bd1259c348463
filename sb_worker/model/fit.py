"""Fitting the weights that combine detector points into a probability: a small logistic regression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize

from detectors.reputation import Reputation, build_reputation
from sb_worker.errors import BadInput
from sb_worker.scoring.features import extract
from sb_worker.scoring.pipeline import FIXED_WEIGHTS, Pipeline, RecordError, Weights


def points_matrix(pipeline: Pipeline, records: Sequence[Mapping[str, Any]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(detector names, points per record and detector, 1 for spam) for labelled editor records."""
    names = [d.name for d in pipeline.detectors]
    results = pipeline.verdicts("editor", records)
    rows, labels = [], []
    for record, result in zip(records, results):
        if isinstance(result, RecordError):
            continue
        _, verdicts = result
        rows.append([v.points for v in verdicts])
        labels.append(1.0 if record.get("label") == "spam" else 0.0)
    return names, np.array(rows, dtype=float), np.array(labels)


def cross_fitted_points(records: Sequence[Mapping[str, Any]], make_pipeline) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Points of every record, each half scored with a reputation table learned from the other half.

    Reputation learned from a record's own label would make the reputation detectors look perfect and earn
    them weights they do not deserve; two-fold cross-fitting measures them as they will work on new accounts.
    """
    folds = [list(records[0::2]), list(records[1::2])]
    parts = []
    for i in (0, 1):
        reputation = reputation_of(folds[1 - i])
        parts.append(points_matrix(make_pipeline(reputation), folds[i]))
    names = parts[0][0]
    return names, np.vstack([parts[0][1], parts[1][1]]), np.concatenate([parts[0][2], parts[1][2]])


def reputation_of(records: Sequence[Mapping[str, Any]]) -> Reputation:
    """A reputation table learned from labelled editor records."""
    labelled = []
    for record in records:
        try:
            labelled.append((extract("editor", record), record.get("label") == "spam"))
        except BadInput:
            continue
    return build_reputation(labelled)


def fit_weights(names: Sequence[str], x: np.ndarray, y: np.ndarray, l2: float = 1.0,
                offset: np.ndarray | None = None) -> Weights:
    """Logistic regression with an L2 penalty; weights are kept at zero or above.

    With an ``offset`` (log-odds per record that the fit starts from: a model's), the weights are what the
    detectors add to it.

    Classes keep their natural proportions: reweighting them to balance raised recall but halved precision at
    the review threshold on held-out data, and a ninja's queue needs precision. A negative weight would make a
    detector's evidence count against what it says (links lowering the score), so the fit may switch a detector
    off but never reverse it. Detectors of ``FIXED_WEIGHTS`` are not fitted: no labelled record carries their
    evidence, and a fitted weight of nothing would silence them.
    """
    fitted = [i for i, name in enumerate(names) if name not in FIXED_WEIGHTS]
    names, x = [names[i] for i in fitted], x[:, fitted]
    sample_weight = np.ones_like(y)
    base = np.zeros_like(y) if offset is None else offset

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = base + theta[0] + x @ theta[1:]
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        nll = -np.sum(sample_weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
        grad_z = sample_weight * (p - y)
        grad = np.concatenate([[grad_z.sum()], x.T @ grad_z + 2 * l2 * theta[1:]])
        return nll + l2 * np.sum(theta[1:] ** 2), grad

    start = np.concatenate([[-4.0 if offset is None else 0.0], np.full(x.shape[1], 0.05)])
    bounds = [(None, None)] + [(0.0, None)] * x.shape[1]
    # Fitted to convergence: with the default tolerances, a leave-one-source-out fold's fit stopped with four
    # detectors that never fired in its data still at 0.03, near their starting point, where the optimum is 0.
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 10_000})
    bias, *weights = result.x
    return Weights(bias=round(float(bias), 4), per_detector={n: round(float(w), 5) for n, w in zip(names, weights)},
                   default=0.0)
