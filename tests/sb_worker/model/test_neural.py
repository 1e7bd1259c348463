"""The neural model: training, calibration, the artifact, and serving it in a running worker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from sb_worker.model.corpus import account_records, text_records
from sb_worker.model.evaluation import roc_auc
from sb_worker.scoring.pipeline import Score, Weights, build_pipeline
from sb_worker.settings import Settings

from tests.helpers import finished, query, wait_until

neural = pytest.importorskip("sb_worker.model.neural")  # never skipped in practice: keras is a dependency
training = pytest.importorskip("sb_worker.model.training")
pytestmark = pytest.mark.integration


def small_corpus() -> list[dict]:
    return text_records("train")[::6] + account_records("train", editors=500)


def make_pipeline(reputation):
    return build_pipeline(weights=Weights(), reputation=reputation, cache_dir=Settings().cache_dir)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    trained = training.train(small_corpus(), make_pipeline, seed=3, epochs=30)
    trained.save(tmp_path_factory.mktemp("model") / "artifact")
    return trained


@pytest.fixture(scope="module")
def artifact(model, tmp_path_factory):
    return model.save(tmp_path_factory.mktemp("saved") / model.version)


def held_out() -> list[dict]:
    return text_records("test")[::10] + account_records("test", editors=200)


def test_training_is_deterministic(model):
    again = training.train(small_corpus(), make_pipeline, seed=3, epochs=30)
    assert again.version == model.version and again.metadata["metrics"] == model.metadata["metrics"]
    records = held_out()[:50]
    assert [s.score for s in build_pipeline(model=again).score("editor", records)] == \
           [s.score for s in build_pipeline(model=model).score("editor", records)]


def test_a_model_learns_and_scores_carry_its_version(model):
    records = held_out()
    scores = build_pipeline(model=model).score("editor", records)
    assert all(isinstance(s, Score) and s.model_version == model.version for s in scores)
    y = np.array([r["label"] == "spam" for r in records], dtype=float)
    s = np.array([s.score for s in scores], dtype=float)
    assert roc_auc(y, s) > 0.9 and s[y == 1].mean() - s[y == 0].mean() > 30
    assert model.metadata["metrics"]["roc_auc"] > 0.8


def test_save_then_load_scores_identically(model, artifact):
    loaded = neural.NeuralModel.load(artifact)
    records = held_out()
    assert loaded.version == model.version and loaded.rules == model.rules
    assert [s.score for s in build_pipeline(model=loaded).score("editor", records)] == \
           [s.score for s in build_pipeline(model=model).score("editor", records)]
    assert sorted(p.name for p in artifact.iterdir()) == ["model.json", "network.npz", "reputation.json",
                                                          "vectors.fasttext", "weights.json"]
    info = json.loads((artifact / "model.json").read_text())
    assert set(info["libraries"]) >= {"keras", "gensim", "numpy", "python"} and len(info["data_hash"]) == 64


def test_the_numpy_network_scoring_runs_computes_what_keras_trained(model):
    import keras

    from sb_worker.model.architecture import keras_inputs, to_keras, to_numpy
    from sb_worker.model.inputs import network_inputs

    records = held_out()
    features, verdicts = zip(*build_pipeline(model=model).verdicts("editor", records))
    inputs = network_inputs(features, verdicts, model.word_vectors, model.detectors, model.meta_mean, model.meta_scale)
    trained = to_keras(model.network)
    by_keras = keras.ops.convert_to_numpy(trained(keras_inputs(inputs), training=False)).reshape(-1)
    by_numpy = model.network(inputs).reshape(-1)
    assert by_numpy.std() > 0.1  # real scores, spread out, not one constant
    np.testing.assert_allclose(by_numpy, by_keras, rtol=1e-5, atol=1e-6)
    again = to_numpy(trained).layers
    assert all(np.array_equal(a, b) for name in again for a, b in zip(again[name], model.network.layers[name]))


def test_scoring_with_a_model_never_imports_keras_or_tensorflow(artifact):
    script = (f"import sys\nfrom sb_worker.model.neural import NeuralModel\nfrom sb_worker.scoring.pipeline import "
              f"build_pipeline\nmodel = NeuralModel.load({str(artifact)!r})\n"
              f"scores = build_pipeline(model=model).score('editor', [{{'id': 1, 'bio': 'cheap essays, buy now'}}])\n"
              f"print(scores[0].model_version, sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [artifact.name, "[]"]


def test_a_model_saved_by_keras_before_the_numpy_network_still_loads_and_scores_the_same(model, artifact, tmp_path):
    from sb_worker.model.architecture import to_keras

    old = shutil.copytree(artifact, tmp_path / "old")
    (old / "network.npz").unlink()
    to_keras(model.network).save(old / "model.keras")
    records = held_out()
    assert [s.score for s in build_pipeline(model=neural.NeuralModel.load(old)).score("editor", records)] == \
           [s.score for s in build_pipeline(model=model).score("editor", records)]


def test_a_damaged_network_is_refused_with_what_is_wrong(artifact, tmp_path):
    damaged = shutil.copytree(artifact, tmp_path / "damaged")
    (damaged / "network.npz").write_bytes(b"not an archive")
    with pytest.raises(neural.ModelError, match=r"model artifact at .*damaged is damaged"):
        neural.NeuralModel.load(damaged)
    with np.load(artifact / "network.npz") as saved:
        np.savez(damaged / "network.npz", **{k: v for k, v in saved.items() if not k.startswith("deep_2/")})
    with pytest.raises(neural.ModelError, match="lack the layers deep_2"):
        neural.NeuralModel.load(damaged)


def test_a_model_built_with_other_library_versions_is_refused(artifact, tmp_path):
    copy = shutil.copytree(artifact, tmp_path / "old")
    info = json.loads((copy / "model.json").read_text())
    info["libraries"]["keras"] = "2.15.0"
    (copy / "model.json").write_text(json.dumps(info))
    with pytest.raises(neural.ModelError, match=r"built with keras 2\.15\.0, but this is keras 3\.\d+.*sb train"):
        neural.NeuralModel.load(copy)
    with pytest.raises(neural.ModelError, match="no model artifact"):
        neural.NeuralModel.load(tmp_path / "nothing")


def test_a_word_cut_where_the_model_stops_reading_is_never_named(model):
    from dataclasses import replace

    from sb_worker.model.hashing import Words
    from sb_worker.model.inputs import HASH_BUCKETS, HASH_CHARS, word_inputs
    from sb_worker.model.network import Network
    from sb_worker.scoring.features import extract

    filler = "la " * ((HASH_CHARS - 6) // 3)  # "jackpotwins" starts a few characters before the model stops reading
    straddling, within = (extract("editor", {"id": i, "bio": bio})
                          for i, bio in enumerate((filler + "jackpotwins", "la la jackpotwins"), 1))
    read = "jackpotwins"[:HASH_CHARS - len(filler)]
    assert straddling.skeleton.startswith(filler) and 0 < len(read) < len("jackpotwins")
    kernel, bias = model.network.layers["wide"]
    loud = kernel.copy()
    loud[:HASH_BUCKETS] = 0.0  # no word of the text weighs anything …
    for word in ("jackpotwins", read):
        loud[word_inputs(Words([word]))[0].indices] = 5.0  # … but the word and what the model reads of it, heavily
    named = replace(model, network=Network({**model.network.layers, "wide": (loud, bias)}))
    read_in_part, read_whole = named.explain([straddling, within])
    assert read_in_part == ()  # named, it would be a word the text does not hold
    assert [phrase for phrase, _ in read_whole] == ["jackpotwins"]


def test_the_model_keeps_detector_weights_fitted_on_its_own_training_records(model, artifact):
    from sb_worker.model.fit import cross_fitted_points, fit_weights

    fitted = fit_weights(*cross_fitted_points(small_corpus(), make_pipeline))  # as sb fit-weights fits them
    assert model.weights == fitted != Weights.bundled()
    assert neural.NeuralModel.load(artifact).weights == fitted


def test_a_model_that_hashes_words_into_another_number_of_inputs_is_refused(artifact, tmp_path):
    copy = shutil.copytree(artifact, tmp_path / "narrow")
    info = json.loads((copy / "model.json").read_text())
    del info["hash_buckets"]  # as every model saved before the count was recorded: 8,192 inputs
    (copy / "model.json").write_text(json.dumps(info))
    with pytest.raises(neural.ModelError, match=r"hashes words into 8,192 inputs, this code into [\d,]+: retrain it"):
        neural.NeuralModel.load(copy)


def test_calibration_is_monotone_and_its_reliability_reported(model):
    raw = np.linspace(0.001, 0.999, 500)
    calibrated = model.calibrate(raw)
    assert np.all(np.diff(calibrated) >= 0) and model.calibration[0] > 0
    bands = model.metadata["metrics"]["reliability"]
    assert bands and all({"band", "records", "predicted", "observed"} <= set(b) for b in bands)
    assert sum(b["records"] for b in bands) == model.metadata["metrics"]["calibration_records"]


def test_a_running_worker_switches_to_a_newly_activated_version(settings, start_worker, artifact, tmp_path):
    from sb_worker.broker import Publisher
    from sb_worker.model.registry import pack
    from sb_worker.scoring.pipeline import HEURISTIC_VERSION, Thresholds
    from sb_worker.storage.store import Store

    settings = settings.replace(model_check_s=0.2)
    worker = start_worker(settings)
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", ids)
    wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == 1, 60, "a heuristic scan")
    assert query(settings.dsn, "SELECT DISTINCT model_version FROM score") == [(HEURISTIC_VERSION,)]

    store = Store(settings.dsn, Thresholds(50))
    store.models.store("broken", b"not a tar", {})
    store.models.promote("broken")  # an artifact that cannot load: the worker keeps scoring with what it has
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", ids[:10])
    wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == 2, 60, "a scan during a broken version")
    assert "cannot switch to model broken" in worker.log()

    version = artifact.name
    store.models.store(version, pack(artifact), {})
    store.models.promote(version)
    with Publisher(settings.broker_url, chunk_size=1000) as publisher:
        publisher.publish("editor", ids)
    wait_until(lambda: finished(worker.log(), "spambrainz.scan_chunk") == 3, 120, "a scan with the new model")
    store.close()
    assert f"now scoring with {version}" in worker.log()
    [(count,)] = query(settings.dsn, "SELECT count(*) FROM score WHERE model_version = %s", (version,))
    assert count == len(ids)  # the whole chunk, and only whole chunks, by the new model


def test_train_eval_and_score_from_the_command_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SB_")} | {"SB_MODEL_DIR": str(tmp_path / "models")}

    def sb(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sb_worker.cli", *args], env=env, input=stdin,
                              capture_output=True, timeout=600)

    records = small_corpus()
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    trained = sb("train", str(tmp_path / "train.jsonl"))
    assert trained.returncode == 0, trained.stderr.decode()[-2000:]
    assert b"line " in trained.stderr and b"(active)" in trained.stdout
    version = trained.stdout.decode().split()[1]
    (tmp_path / "test.jsonl").write_text("\n".join(json.dumps(r) for r in held_out()))
    evaluated = sb("eval", str(tmp_path / "test.jsonl"), "--json", "--plot", str(tmp_path / "pr.png"))
    reports = json.loads(evaluated.stdout.decode().split("\nprecision-recall curves")[0])
    bands = reports.pop("reliability")
    assert set(reports) == {f"neural ({version})", "heuristic only"}
    assert all(0.5 < r["roc_auc"] <= 1 and r["records"] == len(held_out()) for r in reports.values())
    assert sum(b["records"] for b in bands) == len(held_out())
    assert (tmp_path / "pr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    scored = sb("score", "-", stdin=json.dumps(held_out()[0]).encode())
    assert json.loads(scored.stdout)["model"] == version
