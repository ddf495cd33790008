#!/usr/bin/env python3
"""Writes keras_recurrent.json: outputs and final states of real Keras recurrent layers.

Run by hand from this directory with a Python that has Keras 3 and TensorFlow (CPU):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_recurrent_fixtures.py
Every case builds one layer with return_sequences=True and return_state=True, runs it on a
shared input `x` of shape [B, T, F] = [3, 4, 2], and stores the layer's weights (kernel,
recurrent_kernel, bias, in Keras' own layout), any initial states and mask, and Keras'
outputs and states. Biases are randomised so that every bias term is exercised. The seed
is fixed, so rerunning gives identical files.
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

keras.utils.set_random_seed(20261123)
rng = np.random.default_rng(20261123)
B, T, F, UNITS = 3, 4, 2, 3


def enc(a):
    """Shape and row-major data, each float32 written with its shortest round-tripping digits."""
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(np.format_float_positional(v, unique=True)) for v in a.ravel()]}


x = rng.uniform(-1.5, 1.5, size=(B, T, F)).astype(np.float32)
# Row 0: first two steps masked; row 1: last two masked; row 2: a hole in the middle.
mask = np.array([[0, 0, 1, 1], [1, 1, 0, 0], [1, 0, 1, 1]], dtype=bool)
cases = []


def case(name, layer, initial_states=None, use_mask=False):
    inputs = keras.ops.convert_to_tensor(x)
    kwargs = {}
    if initial_states is not None:
        kwargs["initial_state"] = [keras.ops.convert_to_tensor(s) for s in initial_states]
    if use_mask:
        kwargs["mask"] = keras.ops.convert_to_tensor(mask)
    layer.build(x.shape)
    weights = layer.get_weights()
    if len(weights) == 3:
        weights[2] = rng.uniform(-0.5, 0.5, size=weights[2].shape).astype(np.float32)
        layer.set_weights(weights)
    output, *states = layer(inputs, **kwargs)
    cell = layer.cell
    cases.append({
        "name": name,
        "layer": type(layer).__name__,
        "units": UNITS,
        "activation": keras.activations.serialize(cell.activation),
        "recurrent_activation": (
            keras.activations.serialize(cell.recurrent_activation) if hasattr(cell, "recurrent_activation") else None),
        "reset_after": getattr(cell, "reset_after", None),
        "go_backwards": layer.go_backwards,
        "weights": [enc(w) for w in layer.get_weights()],
        "initial_states": [enc(s) for s in initial_states] if initial_states is not None else None,
        "mask": enc(mask) if use_mask else None,
        "output": enc(output),
        "states": [enc(s) for s in states],
    })


def state():
    return rng.uniform(-1, 1, size=(B, UNITS)).astype(np.float32)


seq = {"return_sequences": True, "return_state": True}
case("LSTM", keras.layers.LSTM(UNITS, **seq))
case("GRU reset_after", keras.layers.GRU(UNITS, **seq))
case("GRU reset_before", keras.layers.GRU(UNITS, reset_after=False, **seq))
case("SimpleRNN", keras.layers.SimpleRNN(UNITS, **seq))
case("LSTM go_backwards", keras.layers.LSTM(UNITS, go_backwards=True, **seq))
case("LSTM masked with initial states", keras.layers.LSTM(UNITS, **seq), initial_states=[state(), state()],
     use_mask=True)
case("GRU masked go_backwards", keras.layers.GRU(UNITS, go_backwards=True, **seq), initial_states=[state()],
     use_mask=True)
case("SimpleRNN relu", keras.layers.SimpleRNN(UNITS, activation="relu", **seq))
case("GRU hard_sigmoid without bias",
     keras.layers.GRU(UNITS, recurrent_activation="hard_sigmoid", use_bias=False, **seq))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_recurrent.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "x": enc(x), "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
