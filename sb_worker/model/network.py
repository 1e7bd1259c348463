"""The network's forward pass in numpy: what scoring runs, so that a scan worker never imports Keras or TensorFlow
(about 545 MB of a worker's memory and 6 s of its start-up, for one wide layer and three small ones).

Keras trains it (:mod:`sb_worker.model.architecture` builds the same network there and converts both ways); the
artifact keeps each layer's weights by name in ``network.npz``, which this module reads and writes alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sb_worker.errors import ConfigError
from sb_worker.model.inputs import HASH_BUCKETS

ACCOUNT_SHIFT = 2.0  # the most the account's metadata moves the log-odds, either way: it never starts a report


# The dense layers, by the names the Keras architecture gives them, and what each applies to its output.
LAYERS = {"wide": None, "deep_1": "relu", "deep_2": "relu", "deep": None, "account_1": "relu", "account_tanh": "tanh"}


class NetworkError(ConfigError):
    """Weights that are not this network's (a layer missing, or of another shape)."""


@dataclass(frozen=True)
class Network:
    """The trained weights: a kernel and a bias per layer of ``LAYERS``."""

    layers: Mapping[str, tuple[np.ndarray, np.ndarray]]

    def __post_init__(self) -> None:
        missing = [name for name in LAYERS if name not in self.layers]
        if missing:
            raise NetworkError(f"the network's weights lack the layers {', '.join(missing)}")
        widths = {name: kernel.shape for name, (kernel, _) in self.layers.items()}
        chained = (("deep_1", "deep_2"), ("deep_2", "deep"), ("account_1", "account_tanh"))
        if widths["wide"][0] <= HASH_BUCKETS or any(widths[a][1] != widths[b][0] for a, b in chained):
            raise NetworkError(f"the network's layers do not fit together: {widths}")

    def __call__(self, inputs: Sequence[np.ndarray]) -> np.ndarray:
        """Probabilities of spam for a batch of the five inputs of :func:`~sb_worker.model.inputs.network_inputs`
        (float32, as Keras computes them): the wide part over n-grams and detector points, the deep part over the
        text vector, payload figures and points, and the account's bounded shift, added in log-odds."""
        text, grams, payload, account, points = inputs
        kernel, bias = self.layers["wide"]
        wide = grams @ kernel[:HASH_BUCKETS] + points @ kernel[HASH_BUCKETS:] + bias
        deep = self._dense(("deep_1", "deep_2", "deep"), np.concatenate([text, payload, points], axis=1))
        shift = self._dense(("account_1", "account_tanh"), account) * np.float32(ACCOUNT_SHIFT)
        with np.errstate(over="ignore"):  # exp(88) and beyond is inf in float32: the probability is 0, as it is
            return (1 / (1 + np.exp(-(wide + deep + shift)))).astype(np.float32)

    def _dense(self, names: Sequence[str], x: np.ndarray) -> np.ndarray:
        for name in names:
            kernel, bias = self.layers[name]
            x = x @ kernel + bias
            if LAYERS[name] == "relu":
                x = np.maximum(x, 0)
            elif LAYERS[name] == "tanh":
                x = np.tanh(x)
        return x

    @property
    def wide_kernel(self) -> np.ndarray:
        """The wide layer's weight of each hashed input, in the network's log-odds."""
        return self.layers["wide"][0].reshape(-1)[:HASH_BUCKETS]

    def save(self, path: Path) -> None:
        arrays = {f"{name}/{part}": array for name, pair in self.layers.items()
                  for part, array in zip(("kernel", "bias"), pair)}
        with open(path, "wb") as out:
            np.savez(out, **arrays)

    @classmethod
    def load(cls, path: Path) -> Network:
        with np.load(path, allow_pickle=False) as saved:
            layers = {name: (saved[f"{name}/kernel"], saved[f"{name}/bias"]) for name in LAYERS
                      if f"{name}/kernel" in saved and f"{name}/bias" in saved}
        return cls(layers)
