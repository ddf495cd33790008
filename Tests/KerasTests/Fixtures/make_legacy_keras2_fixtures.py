#!/usr/bin/env python3
"""Weights files in the layout of Keras 2.0-2.3, for the legacy loading tests.

Keras 2.0-2.3 (the standalone `keras` package) does not install on Python 3.11, so
this script writes the files with h5py directly, byte layout as those releases'
`keras/engine/saving.py` (`save_weights_to_hdf5_group`) wrote it, which is the
layout tf_keras' `tf_keras/src/saving/legacy/hdf5_format.py` still reads:

- the root (a weights file) carries `layer_names` (fixed-length byte strings, one
  per layer, layers without weights included, e.g. `input_1` of a Functional
  model), `backend` = b"tensorflow" and `keras_version` (b"2.2.4", ...);
- each layer has a group named after it whose `weight_names` attribute lists its
  weights (`lstm_1/kernel:0`; an empty float array for none), each a dataset at
  that path inside the layer's group, trainable weights first;
- recurrent layers trained as `CuDNNLSTM` / `CuDNNGRU` store cuDNN's layout:
  `kernel` (input_dim, 4*units) / (input_dim, 3*units), `recurrent_kernel`
  (units, 4*units) / (units, 3*units) and one `bias` of 8*units / 6*units (input
  and recurrent biases side by side).

The values come from a seeded NumPy generator. The expected predictions are
tf_keras' own: the script loads each file into an equivalent tf_keras model with
`model.load_weights(path)` (or `by_name=True`, `skip_mismatch=True`), which runs
tf_keras' legacy converter (`preprocess_weights_for_loading`, `_convert_rnn_weights`),
and predicts. A CuDNNLSTM becomes `LSTM(recurrent_activation="sigmoid")` (tf_keras'
default, cuDNN's gate function) and a CuDNNGRU `GRU(reset_after=True)`, as
Keras documents.

Writes legacy_keras2/<name>.h5 and legacy_keras2/<name>.json (input, tf_keras'
output, and the starting weights of the layers that the file does not set, by
layer name). Run by hand with the venv made by Scripts/make-keras-venv.sh:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_legacy_keras2_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tf_keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "legacy_keras2")
L = tf_keras.layers


def enc(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def rnn_weights(rng, input_dim, units, gates, cudnn):
    """kernel, recurrent_kernel, bias as a (CuDNN)LSTM / GRU of Keras 2 stores them."""
    kernel = rng.uniform(-0.5, 0.5, size=(input_dim, gates * units))
    recurrent = rng.uniform(-0.5, 0.5, size=(units, gates * units))
    bias = rng.uniform(-0.3, 0.3, size=((2 if cudnn else 1) * gates * units,))
    return [kernel, recurrent, bias]


def write_keras2_weights(path, layers, keras_version):
    """Writes `layers` ([(layer name, [(weight name, array)])]) as Keras 2.x `save_weights` did
    (Keras 1 wrote no `backend` and `keras_version`: keras_version=None)."""
    with h5py.File(path, "w") as f:
        # h5py 2 (which Keras 2 ran on) stored bytes as fixed-length strings: force that type here.
        f.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in layers], dtype="S")
        if keras_version is not None:
            f.attrs["backend"] = np.bytes_(b"tensorflow")
            f.attrs["keras_version"] = np.bytes_(keras_version.encode("utf8"))
        for name, weights in layers:
            g = f.create_group(name)
            names = np.array([w.encode("utf8") for w, _ in weights], dtype="S") if weights else np.array([])
            g.attrs["weight_names"] = names
            for weight_name, value in weights:
                g.create_dataset(weight_name, data=np.asarray(value, dtype=np.float32))


def named(prefix, names, values):
    return [(f"{prefix}/{n}:0", v) for n, v in zip(names, values)]


RNN = ["kernel", "recurrent_kernel", "bias"]


def cudnn_file(rng):
    """Keras 2.2.4 Sequential: CuDNNLSTM(4, return_sequences) -> CuDNNGRU(3) -> Dense(1)."""
    return [
        ("cu_dnnlstm_1", named("cu_dnnlstm_1", RNN, rnn_weights(rng, 3, 4, 4, cudnn=True))),
        ("cu_dnngru_1", named("cu_dnngru_1", RNN, rnn_weights(rng, 4, 3, 3, cudnn=True))),
        ("dense_1", named("dense_1", ["kernel", "bias"], [rng.normal(size=(3, 1)), rng.normal(size=(1,))])),
    ]


def functional_file(rng):
    """Keras 2.1.6 Functional: input_1 -> Bidirectional(CuDNNLSTM(3, return_sequences))
    -> GRU(2) (Keras 2's reset_after=False) -> Dense(4) -> BatchNormalization -> Dense(1)."""
    forward = rnn_weights(rng, 3, 3, 4, cudnn=True)
    backward = rnn_weights(rng, 3, 3, 4, cudnn=True)
    moving_variance = rng.uniform(0.5, 1.5, size=(4,))
    return [
        ("input_1", []),
        (
            "bidirectional_1",
            named("bidirectional_1/forward_cu_dnnlstm_1", RNN, forward)
            + named("bidirectional_1/backward_cu_dnnlstm_1", RNN, backward),
        ),
        ("gru_1", named("gru_1", RNN, rnn_weights(rng, 6, 2, 3, cudnn=False))),
        ("dense_1", named("dense_1", ["kernel", "bias"], [rng.normal(size=(2, 4)), rng.normal(size=(4,))])),
        (
            "batch_normalization_1",
            named(
                "batch_normalization_1",
                ["gamma", "beta", "moving_mean", "moving_variance"],
                [rng.uniform(0.5, 1.5, size=(4,)), rng.normal(size=(4,)), rng.normal(size=(4,)), moving_variance],
            ),
        ),
        ("dense_2", named("dense_2", ["kernel", "bias"], [rng.normal(size=(4, 1)), rng.normal(size=(1,))])),
    ]


def keras1_file(rng):
    """Keras 1 Sequential: LSTM(4, return_sequences) with 12 per-gate weights (gates i, c, f, o),
    GRU(3) with 9 (z, r, h), Dense(1) (`W`, `b`)."""
    lstm = []
    for gate in "icfo":
        kernel, recurrent, bias = rnn_weights(rng, 3, 4, 1, cudnn=False)
        lstm += [(f"lstm_1_W_{gate}", kernel), (f"lstm_1_U_{gate}", recurrent), (f"lstm_1_b_{gate}", bias)]
    gru = []
    for gate in "zrh":
        kernel, recurrent, bias = rnn_weights(rng, 4, 3, 1, cudnn=False)
        gru += [(f"gru_1_W_{gate}", kernel), (f"gru_1_U_{gate}", recurrent), (f"gru_1_b_{gate}", bias)]
    return [
        ("lstm_1", lstm),
        ("gru_1", gru),
        ("dense_1", [("dense_1_W", rng.normal(size=(3, 1))), ("dense_1_b", rng.normal(size=(1,)))]),
    ]


def nested_file(rng):
    """Keras 2.2.4 Functional whose second layer is a Sequential [CuDNNLSTM(4), BatchNormalization]:
    the nested model's weights in one group, its trainable weights then its non-trainable ones."""
    lstm = named("cu_dnnlstm_1", RNN, rnn_weights(rng, 3, 4, 4, cudnn=True))
    norm = named(
        "batch_normalization_1",
        ["gamma", "beta", "moving_mean", "moving_variance"],
        [rng.uniform(0.5, 1.5, size=(4,)), rng.normal(size=(4,)), rng.normal(size=(4,)), rng.uniform(0.5, 1.5, size=(4,))],
    )
    return [
        ("input_1", []),
        ("sequential_1", lstm + norm[:2] + norm[2:]),
        ("dense_1", named("dense_1", ["kernel", "bias"], [rng.normal(size=(4, 1)), rng.normal(size=(1,))])),
    ]


def nested_model():
    inner = tf_keras.Sequential([L.InputLayer((5, 3)), L.LSTM(4), L.BatchNormalization()])
    x = L.Input((5, 3))
    return tf_keras.Model(x, L.Dense(1)(inner(x)))


GLOROT = {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
NO_REGULARIZERS = {
    key: None
    for key in ["kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"]
}


def keras224_model_config():
    """The `model_config` Keras 2.2.4 wrote for Sequential([LSTM(4, recurrent_activation="sigmoid",
    input_shape=(5, 3)), Dropout(0.5), Dense(2, activation="softmax")]): {"name", "layers"}, the
    input shape as the first layer's `batch_input_shape`, Keras 2.2's initializer configs."""
    lstm = {
        "name": "lstm_1", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
        "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
        "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
        "kernel_initializer": GLOROT,
        "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": True,
        "recurrent_regularizer": None, "recurrent_constraint": None, **NO_REGULARIZERS,
        "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 1,
    }
    dropout = {"name": "dropout_1", "trainable": True, "rate": 0.5, "noise_shape": None, "seed": None}
    dense = {
        "name": "dense_1", "trainable": True, "units": 2, "activation": "softmax", "use_bias": True,
        "kernel_initializer": GLOROT, "bias_initializer": {"class_name": "Zeros", "config": {}}, **NO_REGULARIZERS,
    }
    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential_1",
            "layers": [
                {"class_name": "LSTM", "config": lstm},
                {"class_name": "Dropout", "config": dropout},
                {"class_name": "Dense", "config": dense},
            ],
        },
    }


def write_keras224_model(path, rng):
    """A whole model as Keras 2.2.4's `model.save(path, include_optimizer=False)` wrote it: root
    attributes `keras_version`, `backend`, `model_config` (JSON bytes), and the weights in
    `model_weights` in the layout of a weights file."""
    layers = [
        ("lstm_1", named("lstm_1", RNN, rnn_weights(rng, 3, 4, 4, cudnn=False))),
        ("dropout_1", []),
        ("dense_1", named("dense_1", ["kernel", "bias"], [rng.normal(size=(4, 2)), rng.normal(size=(2,))])),
    ]
    weights_path = path + ".weights"
    write_keras2_weights(weights_path, layers, "2.2.4")
    with h5py.File(path, "w") as f, h5py.File(weights_path, "r") as weights:
        f.attrs["keras_version"] = np.bytes_(b"2.2.4")
        f.attrs["backend"] = np.bytes_(b"tensorflow")
        f.attrs["model_config"] = np.bytes_(json.dumps(keras224_model_config()).encode("utf8"))
        weights.copy(weights["/"], f, name="model_weights")
    os.remove(weights_path)


def cudnn_model(names=("cu_dnnlstm_1", "cu_dnngru_1", "dense_1"), gru_units=3):
    return tf_keras.Sequential(
        [
            L.InputLayer((5, 3)),
            L.LSTM(4, return_sequences=True, name=names[0]),
            L.GRU(gru_units, reset_after=True, name=names[1]),
            L.Dense(1, name=names[2]),
        ]
    )


def functional_model():
    x = L.Input((5, 3))
    h = L.Bidirectional(L.LSTM(3, return_sequences=True))(x)
    h = L.GRU(2, reset_after=False)(h)
    h = L.Dense(4)(h)
    h = L.BatchNormalization()(h)
    return tf_keras.Model(x, L.Dense(1)(h))


def seed_weights(model, rng, layer_names):
    """Gives the layers `layer_names` known starting weights (recorded for the Swift twin)."""
    start = {}
    for name in layer_names:
        layer = model.get_layer(name)
        values = [rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32) for w in layer.weights]
        layer.set_weights(values)
        start[name] = [enc(v) for v in values]
    return start


def write_case(name, file, model, x, note, load=lambda m, p: m.load_weights(p), start=None):
    path = os.path.join(OUT, f"{file}.h5")
    model = load(model, path) or model
    case = {
        "name": name,
        "file": f"{file}.h5",
        "note": note,
        "tf_keras_version": tf_keras.__version__,
        "input": enc(x),
        "output": enc(model.predict(x, verbose=0)),
        "start_weights": start or {},
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(case, f)
    print(name, case["output"]["shape"])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2024)
    write_keras2_weights(os.path.join(OUT, "cudnn_keras224.h5"), cudnn_file(rng), "2.2.4")
    write_keras2_weights(os.path.join(OUT, "functional_keras216.h5"), functional_file(rng), "2.1.6")
    write_keras2_weights(os.path.join(OUT, "keras1.h5"), keras1_file(rng), None)
    write_keras224_model(os.path.join(OUT, "model_keras224.h5"), rng)
    write_keras2_weights(os.path.join(OUT, "nested_keras224.h5"), nested_file(rng), "2.2.4")
    x = rng.uniform(-1, 1, size=(3, 5, 3)).astype(np.float32)

    write_case(
        "cudnn_keras224", "cudnn_keras224", cudnn_model(), x,
        "positional load of CuDNNLSTM/CuDNNGRU weights into LSTM / GRU(reset_after=True)",
    )
    write_case(
        "functional_keras216", "functional_keras216", functional_model(), x,
        "positional load: input_1 without weights, Bidirectional(CuDNNLSTM), GRU(reset_after=False), BatchNorm",
    )
    keras1 = tf_keras.Sequential(
        [L.InputLayer((5, 3)), L.LSTM(4, return_sequences=True), L.GRU(3, reset_after=False), L.Dense(1)]
    )
    write_case(
        "keras1", "keras1", keras1, x,
        "positional load of a Keras 1 file (no keras_version): per-gate LSTM and GRU weights joined",
    )
    write_case(
        "nested_keras224", "nested_keras224", nested_model(), x,
        "positional load of a nested Sequential (CuDNNLSTM + BatchNormalization) inside a Functional model",
    )
    write_case(
        "model_keras224", "model_keras224", None, x,
        "whole model of Keras 2.2.4 (model_config with {name, layers}, model_weights), tf_keras load_model",
        load=lambda m, p: tf_keras.models.load_model(p, compile=False),
    )

    model = cudnn_model(names=("cu_dnnlstm_1", "gru_new", "dense_1"))
    start = seed_weights(model, rng, ["gru_new"])
    write_case(
        "by_name", "cudnn_keras224", model, x,
        "by_name=True: cu_dnnlstm_1 (converted) and dense_1 load, gru_new is not in the file and keeps its weights",
        load=lambda m, p: m.load_weights(p, by_name=True), start=start,
    )

    model = cudnn_model(names=("cu_dnnlstm_1", "gru_5", "dense_1"), gru_units=5)
    start = seed_weights(model, rng, ["gru_5", "dense_1"])
    write_case(
        "by_name_skip_mismatch", "cudnn_keras224", model, x,
        "by_name=True, skip_mismatch=True: dense_1's kernel is (5, 1) here but (3, 1) in the file and is skipped, "
        "its bias loads; gru_5 is not in the file",
        load=lambda m, p: m.load_weights(p, by_name=True, skip_mismatch=True), start=start,
    )


if __name__ == "__main__":
    main()
