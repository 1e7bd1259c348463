"""The neural detector: FastText text vectors and a network over text, account and detector evidence.

Scoring runs the network in numpy (:mod:`sb_worker.model.network`): loading and scoring with a model never
imports Keras or TensorFlow, which only training does (:mod:`sb_worker.model.architecture`).
"""

from __future__ import annotations

import importlib.metadata
import itertools
import json
import os
import platform
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gensim
import numpy as np
from gensim.models import FastText

from detectors.base import Features, Verdict
from detectors.registry import LEARNED
from detectors.reputation import Reputation
from sb_worker.errors import ConfigError
from sb_worker.model.hashing import Words
from sb_worker.model.inputs import (HASH_BUCKETS, META, WordVectors, network_inputs, network_text, whole_hashed_words,
                                    word_inputs)
from sb_worker.model.network import Network, NetworkError
from sb_worker.scoring.pipeline import Weights

VECTOR_SIZE = 48


EVIDENCE_LOG_ODDS = 1.0  # a word the model names as evidence adds at least this to the log-odds (×2.7 the odds)


LIBRARIES = ("keras", "gensim", "numpy")  # a model is refused by other major.minor versions of these


class ModelError(ConfigError):
    """A model artifact that cannot be used here (missing, damaged, or built with other library versions)."""


@dataclass
class NeuralModel:
    """One trained model: network, word vectors, scaling, calibration and the tables the detectors used."""

    version: str
    network: Network
    vectors: FastText
    detectors: list[str]                 # the detector points the network reads, in order
    meta_mean: np.ndarray
    meta_scale: np.ndarray
    calibration: tuple[float, float]     # Platt scaling of the network's log-odds: a > 0 keeps order
    weights: Weights                     # the detector weights fitted on the same data: learned evidence, edits
    reputation: Reputation
    metadata: dict[str, Any]
    rules: dict[str, float] = field(default_factory=dict)  # per point of RULES detectors, fitted out of source

    def __post_init__(self) -> None:
        self.word_vectors = WordVectors(self.vectors)  # this process's, for this model

    def raw(self, features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]]) -> np.ndarray:
        """The network's uncalibrated probabilities for a whole batch, in one call of the model."""
        if not features:
            return np.zeros(0)
        inputs = network_inputs(features, verdicts, self.word_vectors, self.detectors, self.meta_mean, self.meta_scale)
        return self.network(inputs).reshape(-1).astype(np.float64)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities: monotone in the raw output."""
        a, b = self.calibration
        z = np.log(np.clip(raw, 1e-7, 1 - 1e-7) / np.clip(1 - raw, 1e-7, 1))
        return 1 / (1 + np.exp(-(a * z + b)))

    def log_odds(self, features: Sequence[Features], verdicts: Sequence[Sequence[Verdict]]) -> np.ndarray:
        """Log-odds of spam for a batch: the network's calibrated log-odds plus what verdicts taught and rules say.

        The learned detectors' evidence (the reputation table) is added at its fitted weights rather than read by
        the network, so a wave that ninjas confirm counts at once, without retraining. The written rules' evidence
        (``RULES``) is added at weights fitted on the out-of-source predictions (see ``training.train``): the
        network reads it too, but learns it from the spam it was trained on.
        """
        return self.combined(self.raw(features, verdicts), verdicts)

    def combined(self, raw: np.ndarray, verdicts: Sequence[Sequence[Verdict]]) -> np.ndarray:
        """Log-odds of spam from the network's raw output on a batch: calibrated, plus what :meth:`added` adds."""
        p = np.clip(self.calibrate(raw), 1e-9, 1 - 1e-9)
        return np.clip(np.log(p / (1 - p)) + self.added(verdicts), -50, 50)

    def added(self, verdicts: Sequence[Sequence[Verdict]]) -> np.ndarray:
        """Per record, the log-odds added to the network's: learned evidence and written rules."""
        weight = {**{name: self.weights.weight(name) for name in LEARNED}, **self.rules}
        return np.array([sum(weight.get(v.detector, 0.0) * v.points for v in record) for record in verdicts],
                        dtype=np.float64)

    def explain(self, features: Sequence[Features], top: int = 3) -> list[tuple[tuple[str, float], ...]]:
        """Per record, the words (and word pairs) of its text that carry the most log-odds of spam.

        The network's wide part is linear over the hashed words, word pairs and character n-grams, so what a word
        adds to the calibrated log-odds is known: the weights of its inputs, times the calibration's slope. Words
        that add at least ``EVIDENCE_LOG_ODDS`` are named, highest first; a record with none has no model evidence.
        """
        kernel = self.network.wide_kernel * self.calibration[0]
        texts = [network_text(f) for f in features]
        read = [whole_hashed_words(text) for text in texts]
        distinct = list(dict.fromkeys(itertools.chain.from_iterable(read)))
        word_log_odds = dict(zip(distinct, (word_inputs(Words(distinct))[0] @ kernel).tolist()))
        explained = []
        for f, text, words in zip(features, texts, read):
            found = {word: word_log_odds[word] for word in dict.fromkeys(words)}
            for a, b in dict.fromkeys(zip(words, words[1:])):
                pair = f"{a} {b}"
                if text is not f.skeleton and pair not in f.skeleton:
                    continue  # the words either side of a link the network does not read: not a phrase of the text
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

    # -- persistence ------------------------------------------------------------------------------------------
    def save(self, directory: Path) -> Path:
        """Write the artifact into ``directory`` (created; must not exist); returns it."""
        directory = Path(directory)
        directory.mkdir(parents=True)
        self.network.save(directory / "network.npz")
        self.vectors.save(str(directory / "vectors.fasttext"))
        (directory / "reputation.json").write_text(self.reputation.to_json(), encoding="utf-8")
        (directory / "weights.json").write_text(self.weights.to_json(), encoding="utf-8")
        (directory / "model.json").write_text(json.dumps({
            **self.metadata, "version": self.version, "detectors": self.detectors, "meta": list(META),
            "hash_buckets": HASH_BUCKETS, "meta_mean": self.meta_mean.tolist(), "meta_scale": self.meta_scale.tolist(),
            "calibration": list(self.calibration), "rules": self.rules}, indent=2), encoding="utf-8")
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
        buckets = info.get("hash_buckets", 2**13)  # what every model hashed into before the count was recorded
        if buckets != HASH_BUCKETS:
            raise ModelError(f"model {info.get('version')} hashes words into {buckets:,} inputs, this code into "
                             f"{HASH_BUCKETS:,}: retrain it")
        try:
            network = _network(directory)
            vectors = FastText.load(str(directory / "vectors.fasttext"))
            reputation = Reputation.from_json((directory / "reputation.json").read_text(encoding="utf-8"))
            weights = Weights.from_json((directory / "weights.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, NetworkError) as exc:
            raise ModelError(f"model artifact at {directory} is damaged: {exc}") from None
        return cls(info["version"], network, vectors, info["detectors"], np.array(info["meta_mean"], dtype=np.float32),
                   np.array(info["meta_scale"], dtype=np.float32), tuple(info["calibration"]), weights, reputation,
                   {k: info[k] for k in ("created_with", "libraries", "data_hash", "metrics", "seed") if k in info},
                   {name: float(w) for name, w in info.get("rules", {}).items()})


def _network(directory: Path) -> Network:
    """The artifact's network. One saved before scoring ran in numpy has only ``model.keras``: its weights are
    read through Keras (imported for that, once per load)."""
    if (directory / "network.npz").exists() or not (directory / "model.keras").exists():
        return Network.load(directory / "network.npz")
    import keras

    from sb_worker.model.architecture import to_numpy

    return to_numpy(keras.saving.load_model(directory / "model.keras", compile=False))


def library_versions() -> dict[str, str]:
    """The versions of the libraries a model depends on, as recorded in its artifact (read without importing
    Keras: scoring does not need it)."""
    return {"keras": importlib.metadata.version("keras"), "gensim": gensim.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def check_versions(built_with: Mapping[str, str], version: str) -> None:
    """Refuse a model built with another major.minor version of Keras, gensim or numpy."""
    here = library_versions()
    for library in LIBRARIES:
        theirs, ours = built_with.get(library, "unknown"), here[library]
        if theirs.split(".")[:2] != ours.split(".")[:2]:
            raise ModelError(f"model {version} was built with {library} {theirs}, but this is {library} {ours}: "
                             "retrain it with `sb train`")


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
