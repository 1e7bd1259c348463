"""Thresholds from the ninjas' verdicts, with the uncertainty of the precision they reach (pure, fast)."""

import pytest

from sb_worker.model.stats import describe_suggestion, needed_verdicts, suggest, wilson


def judged(*bands: tuple[int, int, int]) -> list[dict]:
    """Reports at ``score``: ``spam`` judged spam and ``ham`` judged not spam, for each (score, spam, ham)."""
    return [{"score": score, "verdict": verdict, "reasons": []}
            for score, spam, ham in bands for verdict in ["spam"] * spam + ["ham"] * ham]


def test_the_wilson_interval_matches_its_textbook_values():
    low, high = wilson(31, 31)
    assert low == pytest.approx(0.8897, abs=1e-4) and high == pytest.approx(1.0)
    low, high = wilson(81, 100)
    assert (round(low, 4), round(high, 4)) == (0.7222, 0.8749)
    assert wilson(0, 0) == (0.0, 1.0)
    assert needed_verdicts(0.99) == 381 and needed_verdicts(0.9975) == 1533


def test_31_verdicts_all_at_100_suggest_nothing_and_say_why():
    found = suggest(judged((100, 31, 0)), 0.99)
    assert found["threshold"] is None and found["best"]["threshold"] == 100
    assert describe_suggestion(found) == (
        "precision 0.99: too few verdicts to suggest a threshold (31 judged reports); the best, at 100, has 31 spam "
        "in 31 verdicts: precision 95% interval 0.8897-1.0000. Showing precision 0.99 takes at least 381 verdicts at "
        "or above the threshold, nearly all of them spam. From verdicts on reports only (no audit verdicts yet): "
        "recall is of the spam reported.")


def test_enough_verdicts_give_the_lowest_threshold_whose_interval_clears_the_precision():
    reports = judged((95, 600, 0), (80, 300, 1), (60, 50, 40), (40, 5, 300))
    found = suggest(reports, 0.99)
    assert found["threshold"] == 80 and found["at"]["verdicts"] == 901 and found["at"]["spam"] == 900
    low, high = found["at"]["interval"]
    assert low >= 0.99 and high <= 1.0 and found["recall"] == pytest.approx(900 / 955)
    assert describe_suggestion(found) == (
        f"precision 0.99: threshold 80 (measured precision 0.9989, 95% interval {low:.4f}-{high:.4f}, from 901 "
        "verdicts at or above it; recall 0.942 of the 1,296 judged reports). From verdicts on reports only (no audit "
        "verdicts yet): recall is of the spam reported.")
    assert suggest(reports, 0.9975)["threshold"] is None  # 901 verdicts cannot show 99.75%


def test_audit_verdicts_count_for_the_accounts_of_their_band():
    reports = judged((90, 500, 2), (60, 400, 3))
    # 40 audit verdicts at 45, each drawn at 1 in 10: 20 spam stand for 200 missed spam accounts.
    audits = [{"score": 45, "verdict": v, "reasons": [], "action": "audit", "sample_rate": 0.1}
              for v in ["spam"] * 20 + ["ham"] * 20]
    plain, weighted = suggest(reports, 0.98), suggest(reports + audits, 0.98)
    assert plain["threshold"] == weighted["threshold"] == 60  # above review, the audit changes nothing ...
    assert plain["recall"] == pytest.approx(1.0)
    assert weighted["recall"] == pytest.approx(900 / 1100)  # ... but recall counts the spam it missed
    assert "Audit-weighted: 40 audit verdicts" in describe_suggestion(weighted)
    at_45 = suggest(reports + audits, 0.5)
    assert at_45["threshold"] == 45 and at_45["at"]["measured"] == pytest.approx(1100 / 1305)
