"""The network in Keras, for training and fine-tuning only: built here, and converted to and from the numpy
:class:`~sb_worker.model.network.Network` that scoring runs. Importing this module imports Keras.

Model code uses the Keras 3 API only (no ``tf.*``), so the backend is a deployment choice; TensorFlow is the
default, PyTorch runs it on a GPU machine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not for operators
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")  # same seed, same model

import keras  # noqa: E402
import numpy as np  # noqa: E402
from scipy.sparse import issparse  # noqa: E402

from sb_worker.model.inputs import ACCOUNT_META, HASH_BUCKETS, PAYLOAD_META  # noqa: E402
from sb_worker.model.network import ACCOUNT_SHIFT, LAYERS, Network  # noqa: E402


def build(vector_size: int, n_points: int, seed: int) -> keras.Model:
    """Evidence, wide and deep, plus a bounded shift from the account.

    A linear model over hashed n-grams and detector points (robust with little data, and it can name the words
    that carried it) and a small network over the text vector, payload figures and detector points add their
    log-odds. The account's metadata passes through a tanh scaled to ``ACCOUNT_SHIFT``: it can move a score that
    evidence started, but alone it never starts one. :class:`Network` computes the same in numpy."""
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


def keras_inputs(inputs: Sequence[Any]) -> list[np.ndarray]:
    """:func:`~sb_worker.model.inputs.network_inputs` as Keras reads them: the sparse n-grams made dense."""
    return [x.toarray() if issparse(x) else x for x in inputs]


def to_numpy(model: keras.Model) -> Network:
    """A trained Keras network's weights, as scoring runs them."""
    layers = {name: tuple(model.get_layer(name).get_weights()) for name in LAYERS}
    return Network(layers)


def to_keras(network: Network, seed: int = 0) -> keras.Model:
    """A Keras network with ``network``'s weights, to fine-tune."""
    kernel = network.layers["deep_1"][0]
    n_points = network.layers["wide"][0].shape[0] - HASH_BUCKETS
    model = build(kernel.shape[0] - len(PAYLOAD_META) - n_points, n_points, seed)
    for name, weights in network.layers.items():
        model.get_layer(name).set_weights(list(weights))
    return model


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
