import numpy as np

from sb_worker.model.fit import cross_fitted_points, fit_weights, reputation_of
from sb_worker.scoring.pipeline import Weights, build_pipeline


def test_informative_detectors_get_weight_and_noise_gets_none():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.2).astype(float)
    signal = y * rng.uniform(20, 40, 2000)  # fires on spam only
    noise = rng.uniform(0, 30, 2000)  # fires on anything
    weights = fit_weights(["signal", "noise"], np.column_stack([signal, noise]), y)
    assert weights.per_detector["signal"] > 0.1 and weights.per_detector["noise"] < 0.02
    assert weights == fit_weights(["signal", "noise"], np.column_stack([signal, noise]), y)  # deterministic


def test_weights_never_turn_negative():
    y = np.array([0, 0, 1, 1] * 50, dtype=float)
    against = np.array([30, 30, 0, 0] * 50, dtype=float)  # fires on ham only
    assert fit_weights(["against"], against[:, None], y).per_detector["against"] == 0.0


def test_cross_fitting_never_lets_a_record_see_its_own_label():
    spam = [{"id": i, "website": f"https://spam{i}.com", "label": "spam"} for i in range(40)]
    ham = [{"id": 100 + i, "website": f"https://ham{i}.org", "label": "ham"} for i in range(40)]
    names, x, y = cross_fitted_points(spam + ham, lambda rep: build_pipeline(weights=Weights(), reputation=rep))
    # every domain is unique, so reputation learned from the other half never knows a record's own domain
    assert x[:, names.index("link_reputation")].max() <= 0 and x[:, names.index("campaigns")].max() == 0
    assert reputation_of(spam[:1]).domains == {"spam0.com": (1, 0)}


def test_a_detector_of_set_weight_keeps_it_through_a_fit():
    y = np.array([0, 1] * 100, dtype=float)
    signal = y * 30
    lists = np.zeros_like(y)  # no labelled record is on a ninja's list
    weights = fit_weights(["signal", "ninja_lists"], np.column_stack([signal, lists]), y)
    assert "ninja_lists" not in weights.per_detector and weights.weight("ninja_lists") == 1 / 8
    assert weights.per_detector["signal"] > 0.1


def test_the_fit_reaches_its_optimum_whatever_the_order_of_the_detectors():
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.1).astype(float)
    links, phones = y * rng.uniform(0, 30, 3000), rng.uniform(0, 10, 3000) * (rng.random(3000) < 0.3)
    silent = np.zeros(3000)  # a detector that never fired in the training data
    one = fit_weights(["links", "phones", "silent"], np.column_stack([links, phones, silent]), y)
    other = fit_weights(["silent", "phones", "links"], np.column_stack([silent, phones, links]), y)
    assert one.per_detector["silent"] == 0.0 and one == other


def test_from_a_models_log_odds_a_rule_gets_weight_for_what_the_model_missed():
    rng = np.random.default_rng(2)
    y = (rng.random(4000) < 0.3).astype(float)
    seen = rng.random(4000) < 0.5  # spam the model has seen it ranks right; the rest it takes for honest
    model = np.where((y == 1) & seen, 4.0, -4.0)
    rule = np.where((y == 1) & ~seen, 30.0, 0.0)  # a rule that catches what the model missed
    noise = rng.uniform(0, 30, 4000)              # and one that fires on anything
    weights = fit_weights(["rule", "noise"], np.column_stack([rule, noise]), y, offset=model)
    assert weights.per_detector["rule"] > 0.1 and weights.per_detector["noise"] < 0.02
