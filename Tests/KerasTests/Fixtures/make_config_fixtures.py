#!/usr/bin/env python3
"""Sequential model configs as real Keras writes them, for the deserialization tests.

configs/keras3_sequential.json holds what a Keras 3 `.keras` file stores in
config.json (`keras.saving.serialize_keras_object(model)`: an InputLayer first, a
variable sequence length); configs/tf_keras_sequential.json holds the
`model_config` attribute of a legacy `.h5` file written by tf_keras (Keras 2: bare
`{"class_name", "config"}` layers, `batch_input_shape` on the first layer). Each
file adds what Keras reports for every layer (name, class, output shape,
parameter count), the model's input shape and its parameter count.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_config_fixtures.py
"""
import json
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import keras  # noqa: E402
import tf_keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def shape(s):
    return [None if d is None else int(d) for d in s]


def write(name, model_config, model, layers, input_shape, version):
    case = {
        "name": name,
        "keras_version": version,
        "model_config": model_config,
        "input_shape": shape(input_shape),
        "layers": layers,
        "params": int(model.count_params()),
    }
    with open(os.path.join(HERE, "configs", name + ".json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))


L = keras.layers
model = keras.Sequential([
    keras.Input((None, 3)),
    L.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
    L.MaxPooling1D(2, padding="same"),
    L.BatchNormalization(momentum=0.9),
    L.Bidirectional(L.LSTM(4, return_sequences=True, dropout=0.1, unit_forget_bias=False), merge_mode="sum"),
    L.GlobalAveragePooling1D(),
    L.Dense(3, activation="softmax", kernel_initializer="he_normal"),
], name="keras3_sequential")
write("keras3_sequential", keras.saving.serialize_keras_object(model), model,
      [{"name": layer.name, "class_name": layer.__class__.__name__, "output_shape": shape(layer.output.shape),
        "params": int(layer.count_params())} for layer in model.layers],
      model.input_shape, keras.__version__)

T = tf_keras.layers
model = tf_keras.Sequential([
    T.Embedding(20, 4, input_length=6),
    T.GRU(5, return_sequences=True, reset_after=False),
    T.TimeDistributed(T.Dense(2, activation="tanh")),
    T.LayerNormalization(),
    T.SimpleRNN(3, activation="relu"),
    T.RepeatVector(2),
    T.Flatten(),
    T.Dropout(0.25),
    T.Dense(1, activation="sigmoid", kernel_regularizer="l2"),
], name="tf_keras_sequential")
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "model.h5")
    model.save(path)
    with h5py.File(path) as f:
        model_config = json.loads(f.attrs["model_config"])
write("tf_keras_sequential", model_config, model,
      [{"name": layer.name, "class_name": layer.__class__.__name__, "output_shape": shape(layer.output_shape),
        "params": int(layer.count_params())} for layer in model.layers],
      model.input_shape, tf_keras.__version__)
print("done")
