import math

import pytest

from detectors.base import Detector, Verdict
from sb_worker.errors import BadInput, ConfigError
from sb_worker.scoring.pipeline import (HEURISTIC_VERSION, MODEL_REASON, NO_EVIDENCE_CEILING, Pipeline, RecordError,
                                        Score, Thresholds, Weights, build_pipeline, to_score)

SPAM = {"id": 1, "privs": 8192, "bio": "Escorts https://hot.com https://hot.com/vip",
        "website": "https://hot.com", "counts": {"edits": 0}}
HAM = {"id": 2, "privs": 0, "bio": "I collect krautrock vinyl.", "counts": {"edits": 120}}


def test_spam_scores_high_with_reasons_in_order_of_contribution():
    pipeline = build_pipeline(weights=Weights())  # every detector weighs the same
    spam, ham = pipeline.score("editor", [SPAM, HAM])
    assert isinstance(spam, Score) and spam.entity_id == 1 and spam.model_version == HEURISTIC_VERSION
    assert spam.score >= 90 and ham.score <= 10
    contributions = [pipeline.weights.weight(r.detector) * r.points for r in spam.reasons]
    assert contributions == sorted(contributions, reverse=True) and len(contributions) >= 3
    assert {"spam_phrases", "text_links", "beginner_profile"} <= {r.detector for r in spam.reasons}
    assert any("hot.com" in r.why for r in spam.reasons)
    assert all(r.points < 0 for r in ham.reasons)


def test_the_spammer_flag_is_the_label_never_a_feature():
    flagged = {**SPAM, "privs": SPAM["privs"] | 4096}
    assert build_pipeline().score("editor", [SPAM])[0].score == build_pipeline().score("editor", [flagged])[0].score


def test_a_bad_record_becomes_an_error_and_the_rest_is_scored():
    results = build_pipeline().score("editor", [SPAM, {"id": 3, "bio": 5}, "not a record", HAM])
    assert [type(r) for r in results] == [Score, RecordError, RecordError, Score]
    assert results[1] == RecordError("editor", "3", "field 'bio' must be a string, got int")
    assert results[2].error == "a record must be a JSON object, got str"


def test_score_is_monotone_in_the_log_odds_and_bounded():
    scores = [to_score(x) for x in (-1e9, -5, -1, 0, 1, 5, 1e9)]
    assert scores == sorted(scores) and scores[0] == 0 and scores[-1] == 100 and to_score(0) == 50


def test_a_detector_weighted_zero_gives_no_reason():
    weights = Weights(bias=-3.0, per_detector={"beginner_profile": 0.0}, default=0.1)
    [spam] = build_pipeline(weights=weights).score("editor", [SPAM])
    assert "beginner_profile" not in {r.detector for r in spam.reasons} and spam.reasons


def test_the_bundled_weights_are_fitted_ones():
    weights = Weights.bundled()
    assert weights.per_detector and weights.default == 0.0 and all(w >= 0 for w in weights.per_detector.values())


def test_weights_round_trip_and_unknown_detectors_get_the_default():
    w = Weights(bias=-3.0, per_detector={"spam_phrases": 0.2}, default=0.1)
    assert Weights.from_json(w.to_json()) == w
    assert w.weight("spam_phrases") == 0.2 and w.weight("new_detector") == 0.1


def test_an_edits_own_content_counts_though_the_weights_are_fitted_on_accounts():
    # The fit reads accounts, where edit_content never fires: a fitted 0 for it would silence what only edits show.
    assert Weights(per_detector={"edit_content": 0.0, "ninja_lists": 0.0}).weight("edit_content") == 1 / 8
    advert = {"id": 5, "type": 1, "data": {"name": "Loans 24h call +91 82497 98617"}, "notes": [{"text": "new"}]}
    [score] = build_pipeline(weights=Weights.bundled()).score("edit", [advert])
    [reason] = [r for r in score.reasons if r.detector == "edit_content"]
    assert reason.why.startswith("new entity named like an advert") and reason.points == 20
    assert [e["text"] for e in reason.evidence] == ["Loans 24h call +91 82497 98617"]  # marked as written


class Broken(Detector):
    name = "broken"

    def score(self, batch):
        return [Verdict(self.name, 1.0, ("x",))]


def test_a_detector_breaking_the_contract_is_caught():
    with pytest.raises(RuntimeError, match="'broken' answered 1 verdicts for 2 records"):
        Pipeline([Broken()]).score("editor", [HAM, HAM])


def test_bad_detector_configuration_is_a_config_error():
    with pytest.raises(ConfigError, match="SB_DETECTORS: unknown detector"):
        build_pipeline({"missing": {}})


def test_thresholds_decide_the_action():
    t = Thresholds(review=50, auto=90)
    assert [t.action(s) for s in (49, 50, 89, 90, 100)] == ["none", "review", "review", "auto", "auto"]
    assert Thresholds(review=50).action(100) == "review"


@pytest.mark.parametrize("review, auto", [(-1, None), (101, None), (50, 50), (50, 101)])
def test_impossible_thresholds_are_refused(review, auto):
    with pytest.raises(BadInput, match="threshold"):
        Thresholds(review, auto)


class SureModel:
    """A stand-in model for the pipeline's own logic: sure every record is spam; names words only when told."""

    version = "nn-test"
    reputation = None
    weights = Weights()

    def __init__(self, words=(), weights=None, rules=None):
        self.words = tuple(words)
        self.weights, self.rules = weights or Weights(), rules or {}

    def log_odds(self, features, verdicts):
        return [math.log(99)] * len(features)  # a probability of 0.99

    def explain(self, features):
        return [self.words] * len(features)


EMPTY = {"id": 5, "name": "user100", "privs": 8192, "member_since": "2026-11-01T10:00:00Z",
         "email_confirm_date": "2026-11-01T10:03:00Z", "counts": {"edits": 0}}


def test_without_evidence_a_record_never_reaches_the_review_threshold():
    pipeline = Pipeline(build_pipeline().detectors, model=SureModel())
    [score] = pipeline.score("editor", [EMPTY])
    assert score.score == round(NO_EVIDENCE_CEILING * 0.99) and Thresholds(50).action(score.score) == "none"


def test_words_the_model_names_are_its_evidence_and_its_reason():
    pipeline = Pipeline(build_pipeline().detectors, model=SureModel([("free spins", 2.5), ("casino", 1.5)]))
    [score] = pipeline.score("editor", [{**EMPTY, "bio": "casino free spins"}])
    assert score.score == 99
    [reason] = [r for r in score.reasons if r.detector == MODEL_REASON]
    assert reason.points == 4.0 and "'free spins' (+2.5), 'casino' (+1.5)" in reason.why


def test_a_written_rule_the_model_weighs_is_its_reason_even_where_the_weights_alone_switch_it_off():
    silent = Weights(per_detector={"spam_phrases": 0.0}, default=0.0)
    advert = {**EMPTY, "bio": "Play at the best online casino, free spins every day"}
    [without] = Pipeline(build_pipeline().detectors, weights=silent,
                         model=SureModel(weights=silent)).score("editor", [advert])
    [weighed] = Pipeline(build_pipeline().detectors, weights=silent,
                         model=SureModel(weights=silent, rules={"spam_phrases": 0.2})).score("editor", [advert])
    assert not without.reasons and without.score < 50
    [rule] = weighed.reasons
    assert rule.detector == "spam_phrases" and "online casino" in rule.why and weighed.score == 99


def test_a_detector_of_the_payload_is_evidence_and_account_metadata_is_not():
    pipeline = Pipeline(build_pipeline().detectors, model=SureModel())
    linked, bare = pipeline.score("editor", [{**EMPTY, "website": "https://cheap-pills.example"}, EMPTY])
    assert linked.score == 99 and bare.score < 50
    assert {"account_profile", "beginner_profile"} & {r.detector for r in bare.reasons}


class SteppedModel(SureModel):
    """A stand-in model giving each record of a batch the next of ``log_odds``."""

    def __init__(self, log_odds, words=(("casino", 2.0),)):
        super().__init__(words)
        self.given = list(log_odds)

    def log_odds(self, features, verdicts):
        return self.given[:len(features)]


def test_scores_that_round_to_100_keep_the_order_of_their_log_odds():
    pipeline = Pipeline(build_pipeline().detectors, model=SteppedModel([9.0, 31.0, 14.5]))
    scores = pipeline.score("editor", [{**EMPTY, "id": i, "bio": "casino"} for i in (1, 2, 3)])
    assert [(s.score, s.log_odds) for s in scores] == [(100, 9.0), (100, 31.0), (100, 14.5)]


def test_the_log_odds_kept_are_of_the_score_given():
    weighed = build_pipeline().score("editor", [SPAM, HAM, EMPTY])
    unnamed = Pipeline(build_pipeline().detectors, model=SteppedModel([8.0], words=()))
    without_evidence = unnamed.score("editor", [EMPTY])
    for s in weighed + without_evidence:
        assert abs(100 / (1 + math.exp(-s.log_odds)) - s.score) <= 0.5, s
    assert without_evidence[0].score == NO_EVIDENCE_CEILING and without_evidence[0].log_odds < 0


def test_the_review_threshold_stays_above_what_no_evidence_can_score():
    with pytest.raises(BadInput, match=f"above {NO_EVIDENCE_CEILING}"):
        Thresholds(review=NO_EVIDENCE_CEILING)
