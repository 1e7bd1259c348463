"""What ninja verdicts say about SpamBrainz: precision by detector and score band, and thresholds from evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

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


def wilson(spam: int, verdicts: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a precision of ``spam`` out of ``verdicts``."""
    if verdicts == 0:
        return 0.0, 1.0
    p = spam / verdicts
    centre = (p + z * z / (2 * verdicts)) / (1 + z * z / verdicts)
    half = z * np.sqrt(p * (1 - p) / verdicts + z * z / (4 * verdicts * verdicts)) / (1 + z * z / verdicts)
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def needed_verdicts(precision: float, z: float = 1.96) -> int:
    """The fewest verdicts, all spam, whose Wilson interval lies wholly at or above ``precision``."""
    return int(np.ceil(z * z * precision / (1 - precision))) if precision < 1 else 0


def weight(item: dict[str, Any]) -> float:
    """How many accounts a judged item stands for: an audit item those of its band it was drawn for (1 / its share),
    a report itself."""
    return 1 / item["sample_rate"] if item.get("action") == "audit" and item.get("sample_rate") else 1.0


def suggest(judged: Sequence[dict[str, Any]], precision: float) -> dict[str, Any]:
    """The lowest threshold whose judged reports show ``precision`` with 95% confidence: the lower end of the
    Wilson interval of the precision of the reports at or above it reaches ``precision``. With too few verdicts
    no threshold does, and ``best`` is the one whose interval's lower end comes nearest (for the message).

    Audit verdicts count for the accounts they were drawn for (see :func:`weight`), so precision below the review
    threshold and recall are those of every account scanned, not only of those reported; the interval then counts
    the verdicts as their effective number, (sum of weights)^2 / sum of squared weights."""
    audit = sum(r.get("action") == "audit" for r in judged)
    found: dict[str, Any] = {"precision": precision, "threshold": None, "recall": 0.0, "verdicts": len(judged),
                             "audit_verdicts": audit, "needed": needed_verdicts(precision), "best": None}
    spam_total = sum(weight(r) for r in judged if r["verdict"] == "spam")
    spam = above = squares = 0.0
    count = 0
    by_score = sorted(((r["score"], r["verdict"] == "spam", weight(r)) for r in judged), reverse=True)
    best_low = -1.0
    for i, (score, is_spam, w) in enumerate(by_score):
        spam, above, squares, count = spam + w * is_spam, above + w, squares + w * w, count + 1
        if i + 1 < len(by_score) and by_score[i + 1][0] == score:
            continue  # a threshold keeps every report of its score
        effective = above * above / squares
        low, high = wilson(spam / above * effective, effective)
        band = {"threshold": score, "verdicts": count, "spam": round(spam), "measured": spam / above,
                "interval": [round(low, 4), round(high, 4)], "recall": spam / spam_total if spam_total else 0.0}
        if low >= precision:
            found.update(threshold=score, recall=band["recall"], at=band)
        if low > best_low:
            best_low, found["best"] = low, band
    return found


def describe_suggestion(found: dict[str, Any]) -> str:
    """`sb thresholds suggest`'s answer in words: the threshold with its interval and verdicts, or why none; and
    which estimates it used."""
    want = found["precision"]
    if found["audit_verdicts"]:
        basis = (f" Audit-weighted: {found['audit_verdicts']:,} audit verdicts count for the accounts of their score "
                 "band, so recall is of all spam scanned.")
    else:
        basis = " From verdicts on reports only (no audit verdicts yet): recall is of the spam reported."
    if found["threshold"] is not None:
        at = found["at"]
        return (f"precision {want:g}: threshold {at['threshold']:g} (measured precision {at['measured']:.4f}, 95% "
                f"interval {at['interval'][0]:.4f}-{at['interval'][1]:.4f}, from {at['verdicts']:,} verdicts at or "
                f"above it; recall {at['recall']:.3f} of the {found['verdicts']:,} judged reports).{basis}")
    text = f"precision {want:g}: too few verdicts to suggest a threshold ({found['verdicts']:,} judged reports)"
    if found["best"] is not None:
        best = found["best"]
        text += (f"; the best, at {best['threshold']:g}, has {best['spam']:,} spam in {best['verdicts']:,} verdicts: "
                 f"precision 95% interval {best['interval'][0]:.4f}-{best['interval'][1]:.4f}")
    return text + (f". Showing precision {want:g} takes at least {found['needed']:,} verdicts at or above the "
                   f"threshold, nearly all of them spam.{basis}")


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
