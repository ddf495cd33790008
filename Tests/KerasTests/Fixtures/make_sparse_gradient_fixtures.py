#!/usr/bin/env python3
"""Golden values for Embedding training with TensorFlow's sparse (IndexedSlices) gradients.

On TensorFlow an Embedding's gradient is an IndexedSlices: one row per looked-up id, duplicates
kept. Optimizers square (or take the absolute value of) those rows before they are summed, and
`clipvalue` clips each row, so an id seen twice in a batch updates differently from the dense
sum. For each optimizer below, a model Embedding(6, 3) -> Flatten -> Dense(1) starts from fixed
weights and `train_on_batch` runs three times on batches with repeated ids; the file holds the
weights after every step. Run by hand with
the venv made by Scripts/make-keras-venv.sh (at the repository root):

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_sparse_gradient_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import optimizers as O  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(values):
    return [float(np.format_float_positional(np.float32(v), unique=True)) for v in np.ravel(values)]


def enc(a):
    return {"shape": list(np.shape(a)), "data": f32(a)}


rng = np.random.default_rng(11)
EMBEDDING = np.round(rng.uniform(-1, 1, size=(6, 3)), 2).astype("float32")
KERNEL = np.round(rng.uniform(-1, 1, size=(12, 1)), 2).astype("float32")
BIAS = np.array([0.1], dtype="float32")
# Three batches of 3 sequences of 4 ids; ids repeat within a batch (id 5 never appears).
IDS = [
    np.array([[1, 1, 2, 1], [3, 2, 2, 0], [1, 4, 4, 4]]),
    np.array([[0, 0, 0, 1], [2, 3, 3, 2], [4, 1, 0, 1]]),
    np.array([[3, 3, 3, 3], [1, 2, 1, 2], [0, 4, 2, 0]]),
]
YS = [np.round(rng.uniform(-2, 2, size=(3, 1)), 2).astype("float32") for _ in IDS]

CASES = {
    "sgd": lambda: O.SGD(learning_rate=0.1),
    "sgd_momentum": lambda: O.SGD(learning_rate=0.1, momentum=0.9),
    "adam": lambda: O.Adam(learning_rate=0.1),
    "adam_amsgrad": lambda: O.Adam(learning_rate=0.1, beta_2=0.9, amsgrad=True),
    "adamw": lambda: O.AdamW(learning_rate=0.1, weight_decay=0.05),
    "nadam": lambda: O.Nadam(learning_rate=0.1),
    "rmsprop": lambda: O.RMSprop(learning_rate=0.05),
    "rmsprop_centered_momentum": lambda: O.RMSprop(learning_rate=0.05, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(learning_rate=0.1),
    "adadelta": lambda: O.Adadelta(learning_rate=1.0),
    "adamax": lambda: O.Adamax(learning_rate=0.1),
    "adam_clipnorm": lambda: O.Adam(learning_rate=0.1, clipnorm=0.05),
    "adam_clipvalue": lambda: O.Adam(learning_rate=0.1, clipvalue=0.02),
    "adam_global_clipnorm": lambda: O.Adam(learning_rate=0.1, global_clipnorm=0.05),
}


def run(make_optimizer, regularized=False):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((4,), dtype="int32"),
        keras.layers.Embedding(6, 3, embeddings_regularizer=keras.regularizers.L2(0.01) if regularized else None),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    model.set_weights([EMBEDDING, KERNEL, BIAS])
    model.compile(optimizer=make_optimizer(), loss="mse")
    steps = []
    for ids, y in zip(IDS, YS):
        loss = model.train_on_batch(ids, y)
        steps.append({"loss": float(loss), "weights": [enc(w) for w in model.get_weights()]})
    return steps


cases = {name: run(make) for name, make in CASES.items()}
# A regularized Embedding gets a dense gradient as well, so the sum is dense (as with any
# variable that has both kinds of gradient).
cases["adam_regularized"] = run(CASES["adam"], regularized=True)

out = {
    "initial": [enc(EMBEDDING), enc(KERNEL), enc(BIAS)],
    "ids": [enc(i) for i in IDS],
    "y": [enc(y) for y in YS],
    "cases": cases,
}
with open(os.path.join(HERE, "sparse_gradients.json"), "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
print("wrote", len(cases), "cases")
