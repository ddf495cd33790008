#!/usr/bin/env python3
"""Golden values for the optimizer tests (OptimizerTests.swift), written to optimizers.json.

For each case an optimizer is made in real Keras, two variables `a` (shape [3, 2]) and `b`
(shape [2]) start from fixed values, and `apply_gradients` runs five times with a fixed
sequence of gradient pairs; the file holds the variables after every step, the optimizer's
config and its `variables` (names and values) after the last step. Learning-rate schedules are
also evaluated alone at steps 0...20, and each name `keras.optimizers.get` accepts is recorded
with its default config. Run by hand with the venv made by Scripts/make-keras-venv.sh (at the repository root):

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_optimizer_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import optimizers as O  # noqa: E402
from keras.optimizers import schedules as S  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(values):
    """Float32 values as the shortest decimals that read back as the same float32."""
    return [float(np.format_float_positional(np.float32(v), unique=True)) for v in np.ravel(values)]


def enc(a):
    return {"shape": list(np.shape(a)), "data": f32(a)}


rng = np.random.default_rng(7)
INITIAL = [np.round(rng.uniform(-1, 1, size=(3, 2)), 2), np.round(rng.uniform(-1, 1, size=(2,)), 2)]
GRADIENTS = []
for step in range(5):
    # Step 3 is small, so norm clipping leaves it alone while clipping the others.
    scale = 0.2 if step == 2 else 1.0
    GRADIENTS.append([np.round(rng.uniform(-2, 2, size=s.shape) * scale, 2) for s in INITIAL])

CASES = {
    "sgd": lambda: O.SGD(learning_rate=0.1),
    "sgd_momentum": lambda: O.SGD(learning_rate=0.1, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda: O.SGD(learning_rate=0.1, weight_decay=0.3),
    "adam": lambda: O.Adam(learning_rate=0.1),
    "adam_amsgrad": lambda: O.Adam(learning_rate=0.1, beta_2=0.9, amsgrad=True),
    "adamw": lambda: O.AdamW(learning_rate=0.1, weight_decay=0.05),
    "rmsprop": lambda: O.RMSprop(learning_rate=0.01),
    "rmsprop_momentum": lambda: O.RMSprop(learning_rate=0.01, momentum=0.9),
    "rmsprop_centered": lambda: O.RMSprop(learning_rate=0.01, centered=True),
    "rmsprop_centered_momentum": lambda: O.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(learning_rate=0.1),
    "adadelta": lambda: O.Adadelta(learning_rate=1.0),
    "adamax": lambda: O.Adamax(learning_rate=0.1),
    "nadam": lambda: O.Nadam(learning_rate=0.1),
    "sgd_momentum_clipnorm": lambda: O.SGD(learning_rate=0.1, momentum=0.5, clipnorm=1.5),
    "adagrad_clipvalue": lambda: O.Adagrad(learning_rate=0.1, clipvalue=0.8),
    "sgd_global_clipnorm": lambda: O.SGD(learning_rate=0.1, global_clipnorm=2.0),
    "sgd_exponential_decay": lambda: O.SGD(learning_rate=S.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)),
    "sgd_piecewise_constant_decay": lambda: O.SGD(
        learning_rate=S.PiecewiseConstantDecay(boundaries=[1, 3], values=[0.1, 0.05, 0.01])),
    "sgd_cosine_decay": lambda: O.SGD(
        learning_rate=S.CosineDecay(0.05, decay_steps=3, alpha=0.1, warmup_target=0.2, warmup_steps=2)),
    "sgd_inverse_time_decay": lambda: O.SGD(learning_rate=S.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5)),
}

SCHEDULES = {
    "exponential_decay": S.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5),
    "exponential_decay_staircase": S.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True),
    "piecewise_constant_decay": S.PiecewiseConstantDecay(boundaries=[3, 7, 12], values=[1.0, 0.5, 0.25, 0.125]),
    "cosine_decay": S.CosineDecay(0.1, decay_steps=12),
    "cosine_decay_alpha": S.CosineDecay(0.1, decay_steps=12, alpha=0.2),
    "cosine_decay_warmup": S.CosineDecay(0.0, decay_steps=10, alpha=0.1, warmup_target=0.3, warmup_steps=5),
    "inverse_time_decay": S.InverseTimeDecay(0.1, decay_steps=3, decay_rate=0.5),
    "inverse_time_decay_staircase": S.InverseTimeDecay(0.1, decay_steps=3, decay_rate=0.5, staircase=True),
}

NAMES = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"]


def run_case(make):
    optimizer = make()
    variables = [keras.Variable(v.astype(np.float32), name=n) for v, n in zip(INITIAL, ["a", "b"])]
    steps = []
    for grads in GRADIENTS:
        optimizer.apply_gradients([(g.astype(np.float32), v) for g, v in zip(grads, variables)])
        steps.append([enc(v.numpy()) for v in variables])
    return {
        "class_name": optimizer.__class__.__name__,
        "config": optimizer.get_config(),
        "steps": steps,
        "variables": [dict(enc(np.asarray(v.numpy(), dtype=np.float64)), name=v.name) for v in optimizer.variables],
    }


out = {
    "keras_version": keras.__version__,
    "initial": [enc(v) for v in INITIAL],
    "gradients": [[enc(g) for g in grads] for grads in GRADIENTS],
    "cases": {name: run_case(make) for name, make in CASES.items()},
    "schedules": {
        name: {
            "class_name": schedule.__class__.__name__,
            "config": schedule.get_config(),
            "values": f32([schedule(keras.ops.convert_to_tensor(step, dtype="int64")) for step in range(21)]),
        }
        for name, schedule in SCHEDULES.items()
    },
    "defaults": {name: O.get(name).get_config() for name in NAMES},
}
with open(os.path.join(HERE, "optimizers.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote optimizers.json")
