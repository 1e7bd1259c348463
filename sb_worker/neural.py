"""The neural detector: FastText text vectors and a Keras network over text, account and detector evidence.

Model code uses the Keras 3 API only (``keras.ops``, no ``tf.*``), so the backend is a deployment choice;
TensorFlow is the default. Importing this module imports Keras: the scoring path does so only when a model is
in use, and the API and light commands never do.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import math
import os
import platform
import shutil
import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not for operators
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")  # same seed, same model

import gensim  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from gensim.models import FastText  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from detectors.base import Features, Verdict  # noqa: E402
from detectors.registry import LEARNED  # noqa: E402
from detectors.reputation import Reputation  # noqa: E402
from sb_worker import evaluation  # noqa: E402
from sb_worker.errors import ConfigError  # noqa: E402
from sb_worker.pipeline import Pipeline, RecordError, Weights  # noqa: E402

VECTOR_SIZE = 48
HASH_BUCKETS = 2**13  # words, word pairs and character 3-5-grams of words, hashed into this many inputs
HASH_CHARS = 1_000    # of a text's first characters: enough to recognise it, and a bound on time
EVIDENCE_LOG_ODDS = 1.0  # a word the model names as evidence adds at least this to the log-odds (×2.7 the odds)
# Figures the network reads beside the text, each scaled by the training data's mean and spread: first those of
# the payload (what the record shows), then those of the account, which may only shift a score (ACCOUNT_SHIFT).
PAYLOAD_META = ("log_text_length", "text_urls", "phones", "messengers", "text_emails", "has_website", "disguises")
ACCOUNT_META = ("beginner", "beginner_known", "log_edits", "log_accepted_edits", "log_votes", "log_notes",
                "activity_known", "gender_set", "area_set", "birth_date_set", "log_hours_to_update", "update_known",
                "log_hours_to_confirm", "confirm_known")
META = PAYLOAD_META + ACCOUNT_META
ACCOUNT_SHIFT = 2.0  # the most the account's metadata moves the log-odds, either way: it never starts a report
LIBRARIES = ("keras", "gensim", "numpy")  # a model is refused by other major.minor versions of these


class ModelError(ConfigError):
    """A model artifact that cannot be used here (missing, damaged, or built with other library versions)."""


def meta_row(f: Features) -> list[float]:
    """The account evidence of one record, in ``META`` order (unknown counts as 0, with a "known" flag)."""
    def log(value: float | None) -> float:
        return math.log1p(max(0.0, value)) if value is not None else 0.0
    return [
        log(f.text_length), len(f.text_urls), len(f.phones), len(f.messengers), len(f.text_email_domains),
        float(bool(f.website)), len(f.disguises),
        float(bool(f.is_beginner)), float(f.is_beginner is not None), log(f.edit_count),
        log(f.accepted_edit_count), log(f.vote_count), log(f.note_count), float(f.edit_count is not None),
        float(bool(f.gender_set)), float(bool(f.area_set)), float(bool(f.birth_date_set)), log(f.hours_to_update),
        float(f.hours_to_update is not None), log(f.hours_to_confirm), float(f.hours_to_confirm is not None),
    ]


CACHE_WORDS = 100_000  # words whose hashed inputs and vectors a process keeps: text repeats its words


class _WordCache(dict):
    """A bounded memo from a word to what it costs to compute (emptied when full: simple and fast enough)."""

    def __init__(self, compute: Callable[[str], Any], limit: int = CACHE_WORDS):
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, word: str) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = self.compute(word)
        return value


def _word_buckets(word: str) -> np.ndarray:
    """The hashed inputs one word sets: the word itself and its character 3–5-grams (``<`` and ``>`` mark its ends)."""
    padded = f"<{word}>".encode()
    grams = [word.encode()] + [padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
    return np.fromiter((zlib.crc32(g) % HASH_BUCKETS for g in grams), dtype=np.int64, count=len(grams))


_BUCKETS = _WordCache(_word_buckets)


def hashed_words(text: str) -> list[str]:
    """The words of a skeleton that the hashed input reads."""
    return text[:HASH_CHARS].split()


def hashed_ngrams(skeletons: Sequence[str]) -> np.ndarray:
    """Presence of words, word pairs and character n-grams, hashed (CRC-32: the same in every process).

    A word's inputs are computed once per process and reused: only word pairs are hashed per text."""
    out = np.zeros((len(skeletons), HASH_BUCKETS), dtype=np.float32)
    for row, text in enumerate(skeletons):
        words = hashed_words(text)
        if not words:
            continue
        pairs = np.fromiter((zlib.crc32(f"{a} {b}".encode()) % HASH_BUCKETS for a, b in zip(words, words[1:])),
                            dtype=np.int64, count=len(words) - 1)
        out[row, np.concatenate([pairs, *(_BUCKETS[w] for w in dict.fromkeys(words))])] = 1.0
    return out


def doc_vectors(vectors: FastText, skeletons: Sequence[str], cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """A mean word vector per text (sub-word n-grams give vectors to unseen and disguised words).

    Each distinct word's vector is looked up once per chunk (and once per process with a ``cache``); the means
    are one sparse product of word counts and vectors."""
    from scipy.sparse import csr_matrix

    cache = cache if cache is not None else _WordCache(vectors.wv.get_vector)
    index: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(skeletons):
        for word in text.split()[:500]:
            cols.append(index.setdefault(word, len(index)))
            rows.append(i)
    out = np.zeros((len(skeletons), vectors.wv.vector_size), dtype=np.float32)
    if not index:
        return out
    table = np.stack([cache[w] for w in index]).astype(np.float32)
    counts = csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(skeletons), len(index)))
    lengths = np.asarray(counts.sum(axis=1)).reshape(-1)
    present = lengths > 0
    out[present] = (counts @ table)[present] / lengths[present, None]
    return out


def network_inputs(features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]], vectors: FastText,
                   detectors: Sequence[str], meta_mean: np.ndarray, meta_scale: np.ndarray,
                   cache: dict[str, np.ndarray] | None = None) -> list[np.ndarray]:
    """The network's five inputs for a batch, the same in training and in serving."""
    text = doc_vectors(vectors, [f.skeleton for f in features], cache)
    grams = hashed_ngrams([f.skeleton for f in features])
    meta = ((np.array([meta_row(f) for f in features], dtype=np.float32).reshape(len(features), len(META))
             - meta_mean) / meta_scale).astype(np.float32)
    payload, account = meta[:, :len(PAYLOAD_META)], meta[:, len(PAYLOAD_META):]
    index = {name: i for i, name in enumerate(detectors)}
    points = np.zeros((len(features), len(detectors)), dtype=np.float32)
    for row, record_verdicts in enumerate(verdicts):
        for v in record_verdicts:
            if v.detector in index:
                points[row, index[v.detector]] = v.points / 50.0
    return [text, grams, payload, account, points]


@functools.cache
def _pin_mmap_threshold() -> None:
    """Have glibc always map large blocks (a chunk's hashed inputs are 16 MB) and return them when freed.

    By default glibc raises its mmap threshold each time such a block is freed, so the next ones come from the
    heap and fragment it: a scoring process grew by 16 MB a chunk (440 MB over the corpus) until this was set.
    Elsewhere than glibc this does nothing."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD = -3, in bytes
    except (OSError, AttributeError):
        pass


def device() -> str:
    """Where Keras trains: "GPU" when its backend (TensorFlow or PyTorch) finds one, else "CPU"."""
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    if backend == "torch":
        import torch

        return "GPU" if torch.cuda.is_available() else "CPU"
    return "CPU"


@dataclass
class NeuralModel:
    """One trained model: network, word vectors, scaling, calibration and the tables the detectors used."""

    version: str
    network: keras.Model
    vectors: FastText
    detectors: list[str]                 # the detector points the network reads, in order
    meta_mean: np.ndarray
    meta_scale: np.ndarray
    calibration: tuple[float, float]     # Platt scaling of the network's log-odds: a > 0 keeps order
    weights: Weights                     # the heuristic combiner, for ordering reasons and for comparison
    reputation: Reputation
    metadata: dict[str, Any]

    def __post_init__(self) -> None:
        self.word_vectors = _WordCache(self.vectors.wv.get_vector)  # this process's memo of word vectors
        self._wide_cache: tuple[np.ndarray, _WordCache] | None = None  # see _wide
        _pin_mmap_threshold()

    def raw(self, features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]]) -> np.ndarray:
        """The network's uncalibrated probabilities for a whole batch, in one call of the model."""
        if not features:
            return np.zeros(0)
        inputs = network_inputs(features, verdicts, self.vectors, self.detectors, self.meta_mean, self.meta_scale,
                                self.word_vectors)
        out = self.network(inputs, training=False)
        return np.asarray(keras.ops.convert_to_numpy(out)).reshape(-1).astype(np.float64)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities: monotone in the raw output."""
        a, b = self.calibration
        z = np.log(np.clip(raw, 1e-7, 1 - 1e-7) / np.clip(1 - raw, 1e-7, 1))
        return 1 / (1 + np.exp(-(a * z + b)))

    def probabilities(self, features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]]) -> np.ndarray:
        """Probabilities of spam for a batch: the network's calibrated log-odds plus what verdicts taught.

        The learned detectors' evidence (the reputation table) is added at its fitted weights rather than read by
        the network, so a wave that ninjas confirm counts at once, without retraining.
        """
        p = np.clip(self.calibrate(self.raw(features, verdicts)), 1e-9, 1 - 1e-9)
        learned = np.array([sum(self.weights.weight(v.detector) * v.points for v in record if v.detector in LEARNED)
                            for record in verdicts], dtype=np.float64)
        return 1 / (1 + np.exp(-np.clip(np.log(p / (1 - p)) + learned, -50, 50)))

    def explain(self, features: Sequence[Features], top: int = 3) -> list[tuple[tuple[str, float], ...]]:
        """Per record, the words (and word pairs) of its text that carry the most log-odds of spam.

        The network's wide part is linear over the hashed words, word pairs and character n-grams, so what a word
        adds to the calibrated log-odds is known: the weights of its inputs, times the calibration's slope. Words
        that add at least ``EVIDENCE_LOG_ODDS`` are named, highest first; a record with none has no model evidence.
        """
        kernel, word_log_odds = self._wide()
        explained = []
        for f in features:
            words = hashed_words(f.skeleton)
            found = {word: word_log_odds[word] for word in dict.fromkeys(words)}
            for a, b in dict.fromkeys(zip(words, words[1:])):
                pair = f"{a} {b}"
                found[pair] = found[a] + found[b] + float(kernel[zlib.crc32(pair.encode()) % HASH_BUCKETS])
            ranked = sorted(((w, v) for w, v in found.items() if v >= EVIDENCE_LOG_ODDS), key=lambda wv: -wv[1])
            named: list[tuple[str, float]] = []
            for phrase, value in ranked:  # a pair shadows the words in it, and a word the pairs it is in
                if not any(phrase in other.split(" ") or other in phrase.split(" ") for other, _ in named):
                    named.append((phrase, round(value, 2)))
                if len(named) == top:
                    break
            explained.append(tuple(named))
        return explained

    def _wide(self) -> tuple[np.ndarray, _WordCache]:
        """The wide part's weights of the hashed inputs in calibrated log-odds, and a memo of each word's sum."""
        if self._wide_cache is None:
            kernel = self.network.get_layer("wide").get_weights()[0].reshape(-1)[:HASH_BUCKETS] * self.calibration[0]
            self._wide_cache = kernel, _WordCache(lambda word: float(kernel[_BUCKETS[word]].sum()))
        return self._wide_cache

    # -- persistence ------------------------------------------------------------------------------------------
    def save(self, directory: Path) -> Path:
        """Write the artifact into ``directory`` (created; must not exist); returns it."""
        directory = Path(directory)
        directory.mkdir(parents=True)
        self.network.save(directory / "model.keras")
        self.vectors.save(str(directory / "vectors.fasttext"))
        (directory / "reputation.json").write_text(self.reputation.to_json(), encoding="utf-8")
        (directory / "weights.json").write_text(self.weights.to_json(), encoding="utf-8")
        (directory / "model.json").write_text(json.dumps({
            **self.metadata, "version": self.version, "detectors": self.detectors, "meta": list(META),
            "meta_mean": self.meta_mean.tolist(), "meta_scale": self.meta_scale.tolist(),
            "calibration": list(self.calibration)}, indent=2), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> NeuralModel:
        """Read an artifact; refuses one built with other versions of the libraries it depends on."""
        directory = Path(directory)
        try:
            info = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"no model artifact at {directory}: {exc}") from None
        check_versions(info.get("libraries", {}), info.get("version", "?"))
        if info.get("meta") != list(META):
            raise ModelError(f"model {info.get('version')} reads other account features than this code: retrain it")
        try:
            network = keras.saving.load_model(directory / "model.keras", compile=False)
            vectors = FastText.load(str(directory / "vectors.fasttext"))
            reputation = Reputation.from_json((directory / "reputation.json").read_text(encoding="utf-8"))
            weights = Weights.from_json((directory / "weights.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"model artifact at {directory} is damaged: {exc}") from None
        return cls(info["version"], network, vectors, info["detectors"], np.array(info["meta_mean"], dtype=np.float32),
                   np.array(info["meta_scale"], dtype=np.float32), tuple(info["calibration"]), weights, reputation,
                   {k: info[k] for k in ("created_with", "libraries", "data_hash", "metrics", "seed") if k in info})


def library_versions() -> dict[str, str]:
    """The versions of the libraries a model depends on, as recorded in its artifact."""
    return {"keras": keras.__version__, "gensim": gensim.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "backend": keras.backend.backend()}


def check_versions(built_with: Mapping[str, str], version: str) -> None:
    """Refuse a model built with another major.minor version of Keras, gensim or numpy."""
    here = library_versions()
    for library in LIBRARIES:
        theirs, ours = built_with.get(library, "unknown"), here[library]
        if theirs.split(".")[:2] != ours.split(".")[:2]:
            raise ModelError(f"model {version} was built with {library} {theirs}, but this is {library} {ours}: "
                             "retrain it with `sb train`")


# -- training ---------------------------------------------------------------------------------------------------
def _split(record: Mapping[str, Any]) -> int:
    """A stable bucket 0–99 from the record's content, so that splits never change and never leak."""
    return int(hashlib.sha1(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:8], 16) % 100


def data_hash(records: Sequence[Mapping[str, Any]]) -> str:
    """A fingerprint of the training data."""
    digest = hashlib.sha256()
    for line in sorted(json.dumps(r, sort_keys=True, default=str) for r in records):
        digest.update(line.encode())
    return digest.hexdigest()


def _network(vector_size: int, n_points: int, seed: int) -> keras.Model:
    """Evidence, wide and deep, plus a bounded shift from the account.

    A linear model over hashed n-grams and detector points (robust with little data, and it can name the words
    that carried it) and a small network over the text vector, payload figures and detector points add their
    log-odds. The account's metadata passes through a tanh scaled to ``ACCOUNT_SHIFT``: it can move a score that
    evidence started, but alone it never starts one."""
    init = keras.initializers.GlorotUniform(seed=seed)
    text = keras.Input((vector_size,), name="text")
    grams = keras.Input((HASH_BUCKETS,), name="ngrams")
    payload = keras.Input((len(PAYLOAD_META),), name="payload")
    account = keras.Input((len(ACCOUNT_META),), name="account")
    points = keras.Input((n_points,), name="detectors")
    wide = keras.layers.Dense(1, kernel_initializer="zeros", kernel_regularizer=keras.regularizers.L2(1e-4),
                              name="wide")(keras.layers.Concatenate(name="wide_inputs")([grams, points]))
    x = keras.layers.Concatenate(name="deep_inputs")([text, payload, points])
    x = keras.layers.Dense(64, activation="relu", kernel_initializer=init, name="deep_1")(x)
    x = keras.layers.Dropout(0.2, seed=seed, name="deep_dropout")(x)
    x = keras.layers.Dense(32, activation="relu", kernel_initializer=init, name="deep_2")(x)
    deep = keras.layers.Dense(1, kernel_initializer=init, name="deep")(x)
    a = keras.layers.Dense(16, activation="relu", kernel_initializer=init, name="account_1")(account)
    a = keras.layers.Dense(1, activation="tanh", kernel_initializer=init, name="account_tanh")(a)
    shift = keras.layers.Rescaling(ACCOUNT_SHIFT, name="account_shift")(a)
    out = keras.layers.Activation("sigmoid", name="spam")(keras.layers.Add(name="log_odds")([wide, deep, shift]))
    return keras.Model([text, grams, payload, account, points], out, name="spambrainz")


def _platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    z = np.log(np.clip(raw, 1e-7, 1 - 1e-7) / np.clip(1 - raw, 1e-7, 1))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = 1 / (1 + np.exp(-(theta[0] * z + theta[1])))
        nll = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
        return nll, np.array([np.sum((p - y) * z), np.sum(p - y)])

    result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(1e-3, None), (None, None)])
    return float(result.x[0]), float(result.x[1])


RECIPE = 2  # bumped whenever training changes in a way the rest of the recipe does not show
CALIBRATION_FOLDS = 3  # sources are dealt into this many folds for out-of-source calibration

Row = tuple[Mapping[str, Any], Features, list[Verdict]]


def train(records: Sequence[Mapping[str, Any]], make_pipeline: Callable[[Reputation | None], Pipeline],
          seed: int = 7, epochs: int = 80, vector_size: int = VECTOR_SIZE) -> NeuralModel:
    """Train a model on labelled editor records (``"label": "spam" | "ham"``).

    The records are split by content: 70% fit the network, 15% decide early stopping, 15% measure it. Records
    that name their ``"source"`` (the corpus's do) are calibrated out of source: their sources are dealt into
    ``CALIBRATION_FOLDS`` folds, a network is trained without each fold and scores it, and Platt scaling is fitted
    on those predictions, so that a probability means what it says on text unlike the training data. With fewer
    than three sources, the 15% held out calibrate. The network reads the detectors whose evidence does not come
    from verdicts; the others are added to its output at their fitted weights (see :meth:`NeuralModel.probabilities`).
    """
    from sb_worker.fit import reputation_of

    labelled = [r for r in records if r.get("label") in ("spam", "ham")]
    pipeline = make_pipeline(None)  # the network reads no reputation: that is added after it (see probabilities)
    rows: list[Row] = [(record, *result) for record, result in zip(labelled, pipeline.verdicts("editor", labelled))
                       if not isinstance(result, RecordError)]
    names = [d.name for d in pipeline.detectors if d.name not in LEARNED]
    model, held = _fit(rows, names, seed, epochs, vector_size)
    model.reputation = reputation_of(labelled)
    y_held = _labels(held)
    raw_held = model.raw([f for _, f, _ in held], [v for _, _, v in held])
    sources = sorted({str(r["source"]) for r, _, _ in rows if r.get("source")})
    if len(sources) >= CALIBRATION_FOLDS:
        raw_out, y_out = [], []
        for k in range(CALIBRATION_FOLDS):
            left_out = set(sources[k::CALIBRATION_FOLDS])
            kept = [row for row in rows if row[0].get("source") not in left_out]
            if len(set(_labels(kept))) < 2:
                continue  # nothing to learn one label from
            fold_model, _ = _fit(kept, names, seed, epochs, vector_size)
            scored = [row for row in rows if row[0].get("source") in left_out]
            raw_out.append(fold_model.raw([f for _, f, _ in scored], [v for _, _, v in scored]))
            y_out.append(_labels(scored))
        raw_cal, y_cal, calibrated_on = np.concatenate(raw_out), np.concatenate(y_out), "out-of-source"
    else:
        raw_cal, y_cal, calibrated_on = raw_held, y_held, "held-out split"
    model.calibration = _platt(raw_cal, y_cal)
    probabilities = model.calibrate(raw_held)
    fingerprint = data_hash(labelled)
    recipe = (f"{RECIPE}:{fingerprint}:{seed}:{epochs}:{vector_size}:{HASH_BUCKETS}:{META}:{names}:{LEARNED}:"
              f"{calibrated_on}:{model.network.to_json()}")
    model.version = f"nn-{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"
    model.metadata = {
        "created_with": "sb train", "seed": seed, "libraries": library_versions(), "data_hash": fingerprint,
        "metrics": {"held_out_records": int(len(y_held)), "roc_auc": round(evaluation.roc_auc(y_held, probabilities), 4),
                    "pr_auc": round(evaluation.pr_auc(y_held, probabilities), 4),
                    "calibrated_on": calibrated_on, "calibration_records": int(len(y_cal)),
                    "reliability": evaluation.reliability(y_cal, model.calibrate(raw_cal))},
    }
    return model


def _labels(rows: Sequence[Row]) -> np.ndarray:
    return np.array([1.0 if r.get("label") == "spam" else 0.0 for r, _, _ in rows], dtype=np.float32)


def _fit(rows: Sequence[Row], names: list[str], seed: int, epochs: int, vector_size: int) -> tuple[NeuralModel, list[Row]]:
    """An uncalibrated model fitted on ``rows`` (70% fit, 15% stop early), and the 15% it never saw."""
    keras.utils.set_random_seed(seed)
    parts: dict[str, list[Row]] = {"fit": [], "stop": [], "held": []}
    for row in rows:
        bucket = _split(row[0])
        parts["fit" if bucket < 70 else "stop" if bucket < 85 else "held"].append(row)

    vectors = FastText(vector_size=vector_size, window=5, min_count=2, min_n=3, max_n=5, bucket=2**16, workers=1,
                       seed=seed, epochs=10)
    docs = [f.skeleton.split()[:500] for _, f, _ in parts["fit"] if f.skeleton.strip()]
    vectors.build_vocab(corpus_iterable=docs)
    vectors.train(corpus_iterable=docs, total_examples=len(docs), epochs=10)

    meta_fit = np.array([meta_row(f) for _, f, _ in parts["fit"]], dtype=np.float32)
    # A figure that never varies in training teaches nothing: it is scaled to nothing rather than blown up, so a
    # source where it does vary (accounts, after training on bare texts) cannot push the network anywhere.
    spread = meta_fit.std(axis=0)
    mean, scale = meta_fit.mean(axis=0), np.where(spread > 1e-6, spread, 1e12).astype(np.float32)
    model = NeuralModel("unsaved", _network(vector_size, len(names), seed), vectors, names, mean, scale,
                        (1.0, 0.0), Weights.bundled(), Reputation(), {})

    def arrays(part: list[Row]) -> tuple[list[np.ndarray], np.ndarray]:
        inputs = network_inputs([f for _, f, _ in part], [v for _, _, v in part], vectors, names, mean, scale,
                                model.word_vectors)
        return inputs, _labels(part)

    (x_fit, y_fit), (x_stop, y_stop) = arrays(parts["fit"]), arrays(parts["stop"])
    spam_share = float(y_fit.mean())
    network = model.network
    network.compile(optimizer=keras.optimizers.Adam(1e-3, name="adam"), loss="binary_crossentropy")
    network.fit(x_fit, y_fit, validation_data=(x_stop, y_stop), epochs=epochs, batch_size=128, verbose=0,
                shuffle=True, class_weight={0: 0.5 / (1 - spam_share), 1: 0.5 / spam_share},
                callbacks=[keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)])
    return model, parts["held"]


def save_atomically(model: NeuralModel, store: Path) -> Path:
    """Save into ``store/<version>`` via a temporary folder, so a reader never sees half an artifact."""
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    final = store / model.version
    if final.exists():
        return final
    tmp = Path(tempfile.mkdtemp(dir=store, prefix=".partial-"))
    shutil.rmtree(tmp)
    model.save(tmp)
    os.replace(tmp, final)
    return final
