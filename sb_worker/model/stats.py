"""What ninja verdicts say about SpamBrainz: precision by detector and score band, and thresholds from evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sb_worker.model import evaluation

AUTO_MIN_VERDICTS = 1000
AUTO_MIN_PRECISION = 0.9975


def _precision(verdicts: list[str]) -> dict[str, Any]:
    spam = sum(v == "spam" for v in verdicts)
    return {"verdicts": len(verdicts), "spam": spam, "precision": spam / len(verdicts) if verdicts else None}


def by_detector(judged: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each detector: of the judged reports it gave reasons for, how many were spam."""
    seen: dict[str, list[str]] = {}
    for report in judged:
        for detector in {r["detector"] for r in report["reasons"]}:
            seen.setdefault(detector, []).append(report["verdict"])
    return {detector: _precision(verdicts) for detector, verdicts in sorted(seen.items())}


def by_band(judged: Sequence[dict[str, Any]], width: int = 10) -> dict[str, dict[str, Any]]:
    """For each band of scores: how many judged reports were spam."""
    bands: dict[int, list[str]] = {}
    for report in judged:
        bands.setdefault(min(report["score"] // width * width, 100 - width), []).append(report["verdict"])
    return {f"{low}-{low + width}": _precision(v) for low, v in sorted(bands.items())}


def suggest(judged: Sequence[dict[str, Any]], precision: float) -> dict[str, Any]:
    """The lowest threshold whose reports reach ``precision`` (maximum recall among judged reports)."""
    if not judged:
        return {"precision": precision, "threshold": None, "recall": 0.0, "verdicts": 0}
    y = np.array([r["verdict"] == "spam" for r in judged], dtype=float)
    scores = np.array([r["score"] for r in judged], dtype=float)
    recall, threshold = evaluation.recall_at_precision(y, scores, precision)
    return {"precision": precision, "threshold": threshold, "recall": recall, "verdicts": len(judged)}


def auto_allowed(judged: Sequence[dict[str, Any]], auto: float) -> tuple[bool, str]:
    """Whether automatic action may start at ``auto``: enough verdicts above it, precise enough."""
    above = [r["verdict"] for r in judged if r["score"] >= auto]
    measured = _precision(above)
    if measured["verdicts"] < AUTO_MIN_VERDICTS:
        return False, (f"only {measured['verdicts']:,} verdicts on reports scoring {auto:g} or more; "
                       f"automatic action needs {AUTO_MIN_VERDICTS:,}")
    if measured["precision"] < AUTO_MIN_PRECISION:
        return False, (f"precision at {auto:g} is {measured['precision']:.4f} over {measured['verdicts']:,} "
                       f"verdicts; automatic action needs {AUTO_MIN_PRECISION}")
    return True, f"precision at {auto:g} is {measured['precision']:.4f} over {measured['verdicts']:,} verdicts"
