#!/usr/bin/env python3
"""Whole-model files of Keras 2 whose configs name classes or functions that Keras 3 changed,
for the Keras 2 model-loading tests (LegacyKeras2ModelTests.swift).

- legacy_keras2/cudnn_model_keras224.h5: a whole model as Keras 2.2.4's `model.save` wrote it
  (written with h5py, as make_legacy_keras2_fixtures.py explains: Keras 2.2 does not install on
  Python 3.11) whose `model_config` names `CuDNNLSTM` and `CuDNNGRU` with the config keys those
  classes had (keras/layers/cudnn_recurrent.py: no activations, no use_bias, no dropout) and
  whose weights are in cuDNN's layout. The expected predictions are tf_keras': the same weights
  loaded with `load_weights` into LSTM(4, return_sequences) -> GRU(3, reset_after=True) ->
  Dense(1), which runs tf_keras' cuDNN conversion (`_convert_rnn_weights`).
- legacy_keras2/hard_sigmoid_tfkeras.h5: saved by tf_keras itself (`model.save(..., save_format="h5")`,
  `keras_version` 2.x): LSTM(4, recurrent_activation="hard_sigmoid", return_sequences) ->
  Dense(3, activation="hard_sigmoid"). Keras 2's hard_sigmoid is clip(0.2·x + 0.5, 0, 1)
  (tf_keras/src/backend.py), Keras 3's clip(x / 6 + 0.5, 0, 1); the predictions are tf_keras'.

Writes <name>.h5 and <name>.json (input, tf_keras' output) in the layout of
make_legacy_keras2_fixtures.py. Run by hand with the venv made by Scripts/make-keras-venv.sh:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_keras2_model_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tf_keras  # noqa: E402

from make_legacy_keras2_fixtures import (  # noqa: E402
    GLOROT, OUT, RNN, cudnn_file, cudnn_model, enc, write_keras2_weights,
)

L = tf_keras.layers
ORTHOGONAL = {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}}
ZEROS = {"class_name": "Zeros", "config": {}}
NO_RECURRENT_EXTRAS = {
    key: None
    for key in [
        "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "recurrent_constraint", "bias_constraint",
    ]
}


def cudnn_layer_config(name, units, lstm, first):
    """The config Keras 2.2.4's CuDNNLSTM / CuDNNGRU `get_config()` wrote."""
    config = {"name": name, "trainable": True}
    if first:
        config.update({"batch_input_shape": [None, 5, 3], "dtype": "float32"})
    config.update({
        "return_sequences": lstm, "return_state": False, "go_backwards": False, "stateful": False,
        "units": units, "kernel_initializer": GLOROT, "recurrent_initializer": ORTHOGONAL,
        "bias_initializer": ZEROS, **NO_RECURRENT_EXTRAS,
    })
    if lstm:
        config["unit_forget_bias"] = True
    return config


def cudnn_model_config():
    dense = {
        "name": "dense_1", "trainable": True, "units": 1, "activation": "linear", "use_bias": True,
        "kernel_initializer": GLOROT, "bias_initializer": ZEROS, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
    }
    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential_1",
            "layers": [
                {"class_name": "CuDNNLSTM", "config": cudnn_layer_config("cu_dnnlstm_1", 4, True, True)},
                {"class_name": "CuDNNGRU", "config": cudnn_layer_config("cu_dnngru_1", 3, False, False)},
                {"class_name": "Dense", "config": dense},
            ],
        },
    }


def write_cudnn_model(path, rng):
    weights_path = path + ".weights"
    write_keras2_weights(weights_path, cudnn_file(rng), "2.2.4")
    with h5py.File(path, "w") as f, h5py.File(weights_path, "r") as weights:
        f.attrs["keras_version"] = np.bytes_(b"2.2.4")
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["model_config"] = np.bytes_(json.dumps(cudnn_model_config()).encode("utf8"))
        weights.copy(weights["/"], f, name="model_weights")
    # tf_keras' own conversion of the same weights, into the LSTM / GRU twin.
    model = cudnn_model()
    model.load_weights(weights_path)
    os.remove(weights_path)
    return model


def write_json(name, file, x, y, note):
    case = {
        "name": name, "file": file, "note": note, "tf_keras_version": tf_keras.__version__,
        "input": enc(x), "output": enc(y), "start_weights": {},
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(case, f)
    print(name, case["output"]["shape"])


def main():
    rng = np.random.default_rng(2025)
    x = rng.uniform(-1, 1, size=(3, 5, 3)).astype(np.float32)

    twin = write_cudnn_model(os.path.join(OUT, "cudnn_model_keras224.h5"), rng)
    write_json(
        "cudnn_model_keras224", "cudnn_model_keras224.h5", x, twin.predict(x, verbose=0),
        "whole Keras 2.2.4 model naming CuDNNLSTM / CuDNNGRU; tf_keras' LSTM / GRU(reset_after) twin after load_weights",
    )

    tf_keras.utils.set_random_seed(7)
    model = tf_keras.Sequential([
        L.InputLayer((5, 3)),
        L.LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True),
        L.Dense(3, activation="hard_sigmoid"),
    ])
    # Weights large enough that many gate inputs fall where the two hard sigmoids differ (|x| > 0.5).
    for layer in model.layers:
        layer.set_weights([rng.uniform(-2, 2, size=w.shape).astype(np.float32) for w in layer.get_weights()])
    path = os.path.join(OUT, "hard_sigmoid_tfkeras.h5")
    model.save(path, save_format="h5", include_optimizer=False)
    with h5py.File(path, "r") as f:
        version = f.attrs["keras_version"]
    write_json(
        "hard_sigmoid_tfkeras", "hard_sigmoid_tfkeras.h5", 2 * x, model.predict(2 * x, verbose=0),
        f"tf_keras (keras_version {version}) model with hard_sigmoid gates and output: Keras 2's clip(0.2x + 0.5, 0, 1)",
    )


if __name__ == "__main__":
    main()
