#!/usr/bin/env python3
"""Weights files written by real Keras, for the saveWeights/loadWeights tests.

For each small model below: Keras 3 builds it, compiles it and trains it 2 epochs
(shuffle=False) so the weights and the optimizer state are not the initial ones,
then writes

    weights/<name>.weights.h5   Keras 3 `model.save_weights` (with optimizer state)
    weights/<name>.h5           tf_keras (Keras 2) `model.save_weights` of the same
                                weights, legacy HDF5 layout
    weights/<name>.json         the input, the training targets and Keras' predictions

and, for the lstm case only, weights/lstm.model.h5: the whole model saved by
Keras 3 in the legacy `.h5` format (`model.save("x.h5")`), whose weights sit in
its `model_weights` group.

The Swift test builds the same model, loads each file and must predict within
1e-5 of Keras. check_swift_weights.py goes the other way (files written by Swift,
loaded by Keras) and imports CASES from here. Run by hand:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_weights_fixtures.py
"""
import json
import os

import numpy as np
import keras
import tf_keras

from keras_fixture_support import HERE, enc

OUT = os.path.join(HERE, "weights")
N = 8
BATCH_SIZE = 4


def data(name):
    """The input and target of each case, fixed by the case name."""
    rng = np.random.default_rng(sum(map(ord, name)))
    if name == "dense":
        x = rng.normal(size=(N, 4))
        y = np.eye(3)[rng.integers(0, 3, size=N)]
    elif name == "simple_rnn":
        x = rng.uniform(-1, 1, size=(N, 4, 2))
        y = rng.uniform(-1, 1, size=(N, 2))
    elif name == "embedding_gru":
        x = rng.integers(0, 10, size=(N, 6))
        y = rng.uniform(0, 1, size=(N, 1))
    elif name == "conv1d_batchnorm":
        x = rng.normal(size=(N, 8, 3))
        y = rng.uniform(-1, 1, size=(N, 1))
    else:
        x = rng.uniform(-1, 1, size=(N, 5, 3))
        y = rng.uniform(-1, 1, size=(N, 1))
    return x.astype(np.float32), y.astype(np.float32)


# name -> (layers for a given keras module, optimizer, loss); the Swift tests mirror these.
CASES = {
    "dense": (
        lambda k: [k.Input((4,)), k.layers.Dense(6, activation="relu"), k.layers.Dense(3, activation="softmax")],
        "adam",
        "categorical_crossentropy",
    ),
    "lstm": (
        lambda k: [
            k.Input((5, 3)),
            k.layers.LSTM(4, return_sequences=True),
            k.layers.LSTM(2),
            k.layers.Dense(1),
            k.layers.Dense(1),
        ],
        "adam",
        "mse",
    ),
    "gru": (lambda k: [k.Input((5, 3)), k.layers.GRU(3), k.layers.Dense(1)], "rmsprop", "mse"),
    "simple_rnn": (
        lambda k: [k.Input((4, 2)), k.layers.SimpleRNN(3, return_sequences=True), k.layers.SimpleRNN(2)],
        "nadam",
        "mse",
    ),
    "embedding_gru": (
        lambda k: [k.Input((6,)), k.layers.Embedding(10, 4), k.layers.GRU(3), k.layers.Dense(1, activation="sigmoid")],
        "sgd",
        "binary_crossentropy",
    ),
    "bidirectional": (
        lambda k: [
            k.Input((5, 3)),
            k.layers.Bidirectional(k.layers.LSTM(3, return_sequences=True)),
            k.layers.TimeDistributed(k.layers.Dense(2)),
            k.layers.Bidirectional(k.layers.GRU(2), merge_mode="sum"),
            k.layers.Dense(1),
        ],
        "adam",
        "mse",
    ),
    "conv1d_batchnorm": (
        lambda k: [
            k.Input((8, 3)),
            k.layers.Conv1D(4, 3, activation="relu"),
            k.layers.BatchNormalization(),
            k.layers.MaxPooling1D(2),
            k.layers.LayerNormalization(),
            k.layers.GlobalAveragePooling1D(),
            k.layers.Dense(1),
        ],
        "adamw",
        "mse",
    ),
}


def keras3_model(name):
    """The case's Keras 3 model, compiled."""
    layers, optimizer, loss = CASES[name]
    model = keras.Sequential(layers(keras))
    model.compile(optimizer=optimizer, loss=loss)
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (layers, optimizer, loss) in CASES.items():
        keras.backend.clear_session()
        tf_keras.backend.clear_session()
        keras.utils.set_random_seed(3)
        x, y = data(name)
        model = keras3_model(name)
        model.fit(x, y, epochs=2, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
        model.save_weights(os.path.join(OUT, f"{name}.weights.h5"))
        prediction = model.predict(x, verbose=0)

        legacy = tf_keras.Sequential(layers(tf_keras))
        legacy.set_weights(model.get_weights())
        legacy_prediction = legacy.predict(x, verbose=0)
        assert np.abs(legacy_prediction - prediction).max() < 1e-5, name
        legacy.save_weights(os.path.join(OUT, f"{name}.h5"))
        if name == "lstm":
            model.save(os.path.join(OUT, f"{name}.model.h5"))

        case = {
            "name": name,
            "keras_version": keras.__version__,
            "optimizer": optimizer,
            "loss": loss,
            "batch_size": BATCH_SIZE,
            "input": enc(x),
            "target": enc(y),
            "output": enc(prediction),
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(case, f, separators=(",", ":"))
        print(name, "written")


if __name__ == "__main__":
    main()
