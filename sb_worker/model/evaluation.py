"""Figures of a scorer on labelled data: ROC-AUC, PR-AUC, recall at a precision, thresholds, reliability."""

from __future__ import annotations

from typing import Any

import numpy as np


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random spam scores above a random ham (ties count half)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    positives = y.sum()
    negatives = len(y) - positives
    if not positives or not negatives:
        return float("nan")
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def pr_curve(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, threshold) at every distinct score, highest threshold first."""
    order = np.argsort(-scores, kind="mergesort")
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    fp = np.cumsum(1 - t)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last index of each distinct score
    precision = tp[last] / (tp[last] + fp[last])
    recall = tp[last] / max(1, t.sum())
    return precision, recall, s[last]


def pr_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """Average precision: the area under the precision–recall curve, as a step function."""
    precision, recall, _ = pr_curve(y, scores)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def recall_at_precision(y: np.ndarray, scores: np.ndarray, target: float) -> tuple[float, float | None]:
    """(highest recall with precision ≥ target, the lowest score threshold that gives it) — (0, None) if none."""
    precision, recall, thresholds = pr_curve(y, scores)
    ok = np.nonzero(precision >= target)[0]
    if not len(ok):
        return 0.0, None
    best = ok[np.argmax(recall[ok])]
    return float(recall[best]), float(thresholds[best])


def recall_at_fpr(y: np.ndarray, scores: np.ndarray, fpr: float = 0.01) -> float:
    """The highest recall at a threshold that flags at most ``fpr`` of the honest records (0 if none does)."""
    ham, spam = np.sort(scores[y == 0]), scores[y == 1]
    if not len(spam):
        return float("nan")
    candidates = np.unique(np.r_[scores, np.inf])
    flagged_ham = len(ham) - np.searchsorted(ham, candidates, side="left")  # honest records at or above each
    allowed = candidates[flagged_ham <= fpr * len(ham)]
    return float((spam >= allowed.min()).mean())


def at_threshold(y: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    """Precision, recall and the confusion matrix when scores at or above ``threshold`` are flagged."""
    flagged = scores >= threshold
    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    fn = int((~flagged & (y == 1)).sum())
    tn = int((~flagged & (y == 0)).sum())
    return {"threshold": threshold, "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
            "confusion": {"true_spam": tp, "false_spam": fp, "missed_spam": fn, "true_ham": tn}}


def reliability(y: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """For each band of predicted probability: how many records, the mean prediction, the observed spam share."""
    rows = []
    edges = np.linspace(0, 1, bins + 1)
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (probabilities >= low) & ((probabilities < high) if high < 1 else (probabilities <= high))
        if inside.any():
            rows.append({"band": f"{low:.1f}-{high:.1f}", "records": int(inside.sum()),
                         "predicted": float(probabilities[inside].mean()), "observed": float(y[inside].mean())})
    return rows


def report(y: np.ndarray, scores: np.ndarray, review: float, auto: float | None) -> dict[str, Any]:
    """Every figure `sb eval` prints for one scorer; ``scores`` are 0–100."""
    r99, t99 = recall_at_precision(y, scores, 0.99)
    r9975, t9975 = recall_at_precision(y, scores, 0.9975)
    return {
        "records": int(len(y)), "spam": int(y.sum()),
        "roc_auc": roc_auc(y, scores), "pr_auc": pr_auc(y, scores),
        "recall_at_precision_0.99": r99, "recall_at_precision_0.9975": r9975,
        "review": at_threshold(y, scores, review),
        "auto": at_threshold(y, scores, auto) if auto is not None else None,
        "suggested": {"review_at_precision_0.99": t99, "auto_at_precision_0.9975": t9975},
    }


def table(reports: dict[str, dict[str, Any]]) -> str:
    """The reports of several scorers side by side, for a person."""
    names = list(reports)
    rows = [("records", lambda r: f"{r['records']:,} ({r['spam']:,} spam)"),
            ("ROC-AUC", lambda r: f"{r['roc_auc']:.4f}"), ("PR-AUC", lambda r: f"{r['pr_auc']:.4f}"),
            ("recall at precision 0.99", lambda r: f"{r['recall_at_precision_0.99']:.3f}"),
            ("recall at precision 0.9975", lambda r: f"{r['recall_at_precision_0.9975']:.3f}"),
            ("at review threshold: precision", lambda r: f"{r['review']['precision']:.3f} (>= {r['review']['threshold']:g})"),
            ("at review threshold: recall", lambda r: f"{r['review']['recall']:.3f}"),
            ("  confusion (spam / honest flagged, missed)", lambda r: "{true_spam} / {false_spam}, {missed_spam}".format(**r["review"]["confusion"])),
            ("at auto threshold: precision, recall", lambda r: "off" if r["auto"] is None else
             f"{r['auto']['precision']:.3f}, {r['auto']['recall']:.3f}"),
            ("suggested review threshold (precision 0.99)", lambda r: _threshold(r["suggested"]["review_at_precision_0.99"])),
            ("suggested auto threshold (precision 0.9975)", lambda r: _threshold(r["suggested"]["auto_at_precision_0.9975"]))]
    width = max(len(label) for label, _ in rows) + 2
    lines = [" " * width + "".join(f"{n:>28s}" for n in names)]
    lines += [f"{label:<{width}s}" + "".join(f"{fmt(reports[n]):>28s}" for n in names) for label, fmt in rows]
    return "\n".join(lines)


def _threshold(value: float | None) -> str:
    return "none reaches it" if value is None else f"{value:.0f}"


def plot(y: np.ndarray, scores: dict[str, np.ndarray], path) -> None:
    """Draw the precision–recall curve of each scorer into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 5))
    for name, s in scores.items():
        precision, recall, _ = pr_curve(y, s)
        axes.step(recall, precision, where="post", label=f"{name} (PR-AUC {pr_auc(y, s):.3f})")
    axes.set(xlabel="recall", ylabel="precision", title="SpamBrainz: precision and recall", ylim=(0, 1.02))
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
