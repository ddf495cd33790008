"""Shared helpers for the Keras fixture generators in this directory.

Every layer fixture is one small JSON file under layers/: the layer's Keras
config, its weights in `layer.get_weights()` order, an input, Keras' output, and
optionally the gradients of `sum(output * loss_weights)` with respect to the
input and to every weight, taken with tf.GradientTape. Run the generators by
hand with the venv made by Scripts/make-keras-venv.sh (at the repository root):

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_layer_fixtures.py
"""
import json
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def enc(a):
    a = np.asarray(a, dtype=np.float64)
    data = [float(v) if math.isfinite(v) else str(v) for v in a.ravel()]
    return {"shape": list(a.shape), "data": data}


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def write_case(name, layer, x, gradients=False, training=False, mask=None, seed=0):
    """Runs `layer` on `x` and writes layers/<name>.json (weights, input, output, gradients)."""
    x = np.asarray(x, dtype=np.float32)
    xt = tf.constant(x)
    kwargs = {"training": training}
    if mask is not None:
        kwargs["mask"] = tf.constant(mask)
    y = layer(xt, **kwargs)
    if isinstance(y, (list, tuple)):
        y = y[0]
    case = {
        "name": name,
        "class_name": layer.__class__.__name__,
        "config": jsonable(layer.get_config()),
        "keras_version": keras.__version__,
        "input": enc(x),
        "weights": [dict(enc(w.numpy()), name=w.path) for w in layer.weights],
        "output": enc(y.numpy()),
    }
    if mask is not None:
        case["mask"] = enc(np.asarray(mask, dtype=np.float32))
    if gradients:
        rng = np.random.default_rng(seed + 1)
        r = rng.uniform(-1, 1, size=y.shape).astype(np.float32)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            tape.watch([w.value for w in layer.weights])  # non-trainable ones too (moving statistics)
            out = layer(xt, **kwargs)
            if isinstance(out, (list, tuple)):
                out = out[0]
            loss = tf.reduce_sum(out * r)
        grads = tape.gradient(loss, [xt] + [w.value for w in layer.weights])
        grads = [g if g is not None else tf.zeros_like(v) for g, v in zip(grads, [xt] + [w.value for w in layer.weights])]
        case["loss_weights"] = enc(r)
        case["input_gradient"] = enc(grads[0].numpy())
        case["weight_gradients"] = [enc(g.numpy()) for g in grads[1:]]
    path = os.path.join(HERE, "layers", name + ".json")
    with open(path, "w") as f:
        json.dump(case, f, separators=(",", ":"))
    return case


def uniform(shape, seed, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float32)
