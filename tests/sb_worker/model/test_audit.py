"""The audit sample's estimator of recall, on simulated sample databases whose true recall is known (pure, fast)."""

import numpy as np
import pytest

from sb_worker.model import audit
from sb_worker.settings import Settings

REVIEW = 50
RATES = Settings().audit_rates  # the shares drawn by default


def sample_database(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """20,000 accounts' scores and labels: most honest and low, spam mostly high, a tail of it below review."""
    honest = np.clip(rng.gamma(1.5, 6, 18_000), 0, 100).astype(int)
    spam = np.clip(rng.normal(75, 22, 2_000), 0, 100).astype(int)
    return np.concatenate([honest, spam]), np.concatenate([np.zeros(18_000, bool), np.ones(2_000, bool)])


def audited(seed: int) -> tuple[float, dict | None]:
    """The true recall of one sample database, and the estimate from its audit: every account below review drawn at
    its band's default rate and judged, and 90% of the reported ones judged."""
    rng = np.random.default_rng(seed)
    scores, spam = sample_database(rng)
    rates = np.array([audit.rate_of(s, REVIEW, RATES) for s in range(101)])
    judged = rng.random(scores.size) < np.where(scores >= REVIEW, 0.9, rates[scores])
    histogram = dict(zip(*np.unique(scores, return_counts=True)))
    items = [{"score": int(s), "verdict": "spam" if is_spam else "ham"}
             for s, is_spam in zip(scores[judged], spam[judged])]
    return spam[scores >= REVIEW].sum() / spam.sum(), audit.recall(audit.strata(histogram, items, REVIEW))


def test_the_recall_estimate_falls_within_its_interval_in_at_least_95_of_100_seeded_runs():
    runs = [audited(seed) for seed in range(100)]
    covered = sum(found["interval"][0] <= true <= found["interval"][1] for true, found in runs)
    errors = [found["recall"] - true for true, found in runs]
    print(f"covered in {covered} of 100 runs; mean error of the estimate {np.mean(errors):+.4f}, "
          f"mean interval {np.mean([f['interval'][0] for _, f in runs]):.3f}-"
          f"{np.mean([f['interval'][1] for _, f in runs]):.3f}")
    assert covered >= 95
    assert abs(np.mean(errors)) < 0.01  # unbiased: the weighting undoes the threshold's choice


def test_more_audit_verdicts_narrow_the_interval():
    rng = np.random.default_rng(5)
    scores, spam = sample_database(rng)
    histogram = dict(zip(*np.unique(scores, return_counts=True)))

    def width(share: float) -> float:
        judged = (scores >= REVIEW) | (rng.random(scores.size) < share)
        items = [{"score": int(s), "verdict": "spam" if v else "ham"} for s, v in zip(scores[judged], spam[judged])]
        low, high = audit.recall(audit.strata(histogram, items, REVIEW))["interval"]
        return high - low

    assert width(0.2) < width(0.05) < width(0.01)


def test_no_estimate_until_every_band_has_a_verdict():
    histogram = {5: 1000, 30: 100, 45: 10, 80: 50}
    reported = [{"score": 80, "verdict": "spam"}] * 50
    assert audit.recall(audit.strata(histogram, reported, REVIEW)) is None
    some = reported + [{"score": 5, "verdict": "ham"}, {"score": 30, "verdict": "ham"}]
    assert audit.recall(audit.strata(histogram, some, REVIEW)) is None  # 40-50 not audited yet
    found = audit.recall(audit.strata(histogram, some + [{"score": 45, "verdict": "spam"}], REVIEW))
    assert found["missed_spam"] == 10 and found["recall"] == pytest.approx(50 / 60, abs=1e-4)
    assert "not estimated yet" in audit.describe(None) and "95% interval" in audit.describe(found)


def test_bands_and_rates_follow_the_review_threshold():
    assert audit.bands(50) == ["0-10", "10-25", "25-40", "40-50", "reported"]
    assert audit.bands(30) == ["0-10", "10-25", "25-30", "reported"]
    assert [audit.band_of(s, 50) for s in (0, 9, 10, 39, 40, 49, 50, 100)] == [
        "0-10", "0-10", "10-25", "25-40", "40-50", "40-50", "reported", "reported"]
    assert audit.rate_of(45, 50, RATES) == 0.1 and audit.rate_of(50, 50, RATES) == 0


def test_an_account_is_drawn_by_its_place_not_by_chance():
    scored = [("editor", i, 45) for i in range(20_000)]
    first = audit.drawn(scored, REVIEW, RATES)
    assert first == audit.drawn(scored, REVIEW, RATES)  # a rescan draws the same accounts
    assert 1800 < len(first) < 2200 and all(rate == 0.1 for _, _, rate in first)
    assert audit.drawn([("editor", 1, 60)], REVIEW, RATES) == []  # reported, not audited
    assert audit.drawn(scored, REVIEW, ()) == []  # the audit switched off
