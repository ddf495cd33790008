"""Writes the mixed-precision fixtures under mixed_precision/ for MixedPrecisionTests.swift.

Every model is built by Keras 3 under `keras.mixed_precision.set_global_policy("mixed_bfloat16")`
and saved untrained as `<name>.keras` (its layers carry the policy). `<name>.json` holds the
input `x`, the labels `y`, Keras' bfloat16 forward output `output`, the same weights' float32
forward output `output_float32` (what a test would see if nothing were rounded), the losses of
3 `train_on_batch` steps on the whole batch, and the float32 master weights after them
(`model.get_weights()` order). `dense_stack` is also saved by Keras 3 as `.h5` and by tf_keras
(Keras 2: `{"class_name": "Policy", ...}` dtypes) as `.tf_keras.h5`. Run by hand:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_mixed_precision_fixtures.py [name ...]
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tf_keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mixed_precision")


def enc(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def dense_stack(k):
    model = k.Sequential(
        [
            k.Input((6,)),
            k.layers.Dense(16, activation="relu"),
            k.layers.Dense(8, activation="tanh"),
            k.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=k.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy")
    return model


def conv(k):
    inputs = k.Input((7, 7, 2))
    h = k.layers.Conv2D(4, 3, activation="relu")(inputs)
    h = k.layers.Reshape((25, 4))(h)
    h = k.layers.Conv1D(3, 3, activation="relu")(h)
    h = k.layers.GlobalAveragePooling1D()(h)
    outputs = k.layers.Dense(1)(h)
    model = k.Model(inputs, outputs)
    model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    return model


def separable(k):
    model = k.Sequential(
        [
            k.Input((7, 7, 2)),
            k.layers.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
            k.layers.SeparableConv2D(3, 3, activation="relu"),
            k.layers.GlobalAveragePooling2D(),
            k.layers.Dense(1),
        ]
    )
    model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    return model


def lstm(k):
    model = k.Sequential([k.Input((5, 3)), k.layers.LSTM(6), k.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    return model


def attention(k):
    inputs = k.Input((4, 8))
    h = k.layers.MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
    h = k.layers.Add()([inputs, h])
    h = k.layers.LayerNormalization()(h)
    h = k.layers.GlobalAveragePooling1D()(h)
    outputs = k.layers.Dense(2)(h)
    model = k.Model(inputs, outputs)
    # SGD, not Adam: the key bias's gradient is zero in exact arithmetic (softmax ignores a
    # constant added to a query's scores), so its bfloat16 gradient is rounding noise, which
    # Adam would scale up to full-size steps of either sign.
    model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    return model


def data(name, rng):
    if name == "dense_stack":
        x = rng.normal(size=(8, 6))
        y = np.eye(3)[rng.integers(0, 3, size=8)]
    elif name in ("conv", "separable"):
        x, y = rng.normal(size=(8, 7, 7, 2)), rng.normal(size=(8, 1))
    elif name == "lstm":
        x, y = rng.normal(size=(8, 5, 3)), (rng.random((8, 1)) > 0.5) * 1.0
    else:
        x, y = rng.normal(size=(8, 4, 8)), rng.normal(size=(8, 2))
    return x.astype("float32"), y.astype("float32")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make in [("dense_stack", dense_stack), ("conv", conv), ("separable", separable), ("lstm", lstm), ("attention", attention)]:
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue  # regenerate only the models named on the command line
        rng = np.random.default_rng(11)
        x, y = data(name, rng)
        keras.mixed_precision.set_global_policy("float32")
        keras.utils.set_random_seed(3)
        reference = make(keras)
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        model = make(keras)
        model.set_weights(reference.get_weights())
        model.save(os.path.join(OUT, f"{name}.keras"))
        if name == "dense_stack":
            model.save(os.path.join(OUT, f"{name}.h5"))
        record = {
            "x": enc(x),
            "y": enc(y),
            "policies": [layer.dtype_policy.name for layer in model.layers],
            "output": enc(np.asarray(model.predict(x, verbose=0), dtype=np.float32)),
            "output_float32": enc(reference.predict(x, verbose=0)),
        }
        record["losses"] = [float(model.train_on_batch(x, y)) for _ in range(3)]
        record["weights"] = [enc(w) for w in model.get_weights()]
        for _ in range(3):
            reference.train_on_batch(x, y)
        record["weights_float32"] = [enc(w) for w in reference.get_weights()]
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(record, f)
        keras.mixed_precision.set_global_policy("float32")

    if len(sys.argv) > 1 and "dense_stack" not in sys.argv[1:]:
        return
    tf_keras.mixed_precision.set_global_policy("mixed_bfloat16")
    tf_keras.utils.set_random_seed(3)
    legacy = dense_stack(tf_keras)
    legacy.save(os.path.join(OUT, "dense_stack.tf_keras.h5"))
    x, _ = data("dense_stack", np.random.default_rng(11))
    with open(os.path.join(OUT, "dense_stack.tf_keras.json"), "w") as f:
        json.dump({"x": enc(x), "output": enc(np.asarray(legacy.predict(x, verbose=0), dtype=np.float32))}, f)


if __name__ == "__main__":
    main()
