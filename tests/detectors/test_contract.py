"""The contract every registered detector keeps: one check suite run over all of them."""

from __future__ import annotations

import math

import pytest

from detectors import REGISTERED, Features, build_detectors
from detectors.base import DetectorConfigError

EDGE_CASES = [
    Features(kind="editor", entity_id=1),                                   # everything unknown
    Features(kind="edit", entity_id=2),
    Features(kind="editor", entity_id=3, text="", website="", is_beginner=True, edit_count=0),
    Features(kind="editor", entity_id=4, text="Buy pills https://a.example/x https://b.example", text_urls=(
        "https://a.example/x", "https://b.example"), text_domains=("a.example", "b.example"),
        website="https://a.example", website_domain="a.example", is_beginner=True, edit_count=0),
    Features(kind="edit", entity_id=5, text="x" * 100_000, added_urls=("https://c.example",), is_beginner=False),
    Features(kind="editor", entity_id=6, text="\u202e\u200b\x00\ufffd", is_beginner=None, edit_count=None),
]


@pytest.fixture(params=[cls.name for cls in REGISTERED])
def detector(request):
    return next(d for d in build_detectors() if d.name == request.param)


def test_one_verdict_per_record_in_order_named_after_the_detector(detector):
    verdicts = detector.score(EDGE_CASES)
    assert len(verdicts) == len(EDGE_CASES)
    assert {v.detector for v in verdicts} == {detector.name}


def test_points_are_finite_and_come_with_reasons(detector):
    for features, verdict in zip(EDGE_CASES, detector.score(EDGE_CASES)):
        assert math.isfinite(verdict.points), features
        if verdict.points:
            assert verdict.reasons and all(isinstance(r, str) and r for r in verdict.reasons), features


def test_deterministic_and_independent_of_the_rest_of_the_batch(detector):
    together = detector.score(EDGE_CASES)
    assert detector.score(EDGE_CASES) == together
    assert [detector.score([f])[0] for f in EDGE_CASES] == together


def test_unknown_records_give_no_evidence(detector):
    assert all(v.points == 0 for v in detector.score(EDGE_CASES[:2]))


def test_empty_batch(detector):
    assert detector.score([]) == []


def test_init_only_stores_its_parameters_and_fit_only_what_it_learns(detector):
    from detectors.registry import options_of

    assert set(vars(type(detector)())) == set(options_of(type(detector)))  # as constructed: parameters only
    learned = set(vars(detector)) - set(options_of(type(detector)))  # built by the registry, so fitted
    assert all(name.endswith("_") for name in learned), learned


def test_score_changes_nothing_in_the_detector(detector):
    before = {name: id(value) for name, value in vars(detector).items()}
    detector.score(EDGE_CASES)
    assert {name: id(value) for name, value in vars(detector).items()} == before


def test_registered_names_are_unique():
    names = [cls.name for cls in REGISTERED]
    assert len(names) == len(set(names))


def test_unknown_detector_is_refused_with_the_registered_names():
    with pytest.raises(DetectorConfigError, match="unknown detector.*nope.*registered: spam_phrases, smokedetector_keywords"):
        build_detectors({"nope": {}})


def test_unknown_option_is_refused_with_the_accepted_ones():
    with pytest.raises(DetectorConfigError, match="unknown option.*pointz.*accepts: points, no_edits, enabled"):
        build_detectors({"beginner_profile": {"pointz": 3}})


def test_a_detector_can_be_turned_off_and_configured():
    detectors = {d.name: d for d in build_detectors({"beginner_profile": {"enabled": False},
                                                     "text_links": {"website": 1.5}})}
    assert "beginner_profile" not in detectors and len(detectors) == len(REGISTERED) - 1
    assert detectors["text_links"].website == 1.5


def test_shared_data_is_not_configuration():
    with pytest.raises(DetectorConfigError, match="unknown option.*reputation"):
        build_detectors({"link_reputation": {"reputation": {}}})


def test_duplicate_registration_is_refused():
    cls = REGISTERED[0]
    with pytest.raises(DetectorConfigError, match="registered twice"):
        build_detectors(registered=(cls, cls))


def test_what_a_detector_matched_is_named_by_where_it_was_read(detector):
    from detectors.base import Match

    for verdict in detector.score(EDGE_CASES):
        assert all(isinstance(m, Match) and m.where in ("text", "clean", "links", "phone", "disguise") and m.found.strip()
                   for m in verdict.evidence), verdict
