#!/usr/bin/env python3
"""Per-epoch training trajectories from real Keras, for the fit() tests.

Each case fixes the initial weights (seeded uniform), the data and shuffle=False,
trains 3 epochs and records Keras' History (loss, metrics, val_*) and the final
weights. The Swift test builds the same model, loads the same initial weights and
must reproduce every epoch.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_training_fixtures.py
"""
import json
import os

import numpy as np
import keras

from keras_fixture_support import HERE, enc

keras.utils.set_random_seed(7)
rng = np.random.default_rng(7)

N, T, F = 48, 6, 3
x_seq = rng.uniform(-1, 1, size=(N, T, F)).astype(np.float32)
y_binary = (x_seq[:, :, 0].mean(axis=1, keepdims=True) > 0).astype(np.float32)
y_regress = (x_seq.sum(axis=(1, 2)) / 5).reshape(N, 1).astype(np.float32)
y_classes = np.argmax(x_seq[:, -1, :], axis=1).astype(np.float32)  # 3 classes
x_flat = rng.uniform(-1, 1, size=(N, 5)).astype(np.float32)
y_onehot = np.eye(4, dtype=np.float32)[np.argmax(x_flat[:, :4] + 0.3 * x_flat[:, 4:5], axis=1)]


def run(name, layers, compile_args, x, y, fit_args):
    model = keras.Sequential(layers)
    w_rng = np.random.default_rng(len(name) * 31)
    initial = [w_rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(initial)
    model.compile(**compile_args)
    history = model.fit(x, y, epochs=3, shuffle=False, verbose=0, **fit_args)
    case = {
        "name": name,
        "initial_weights": [enc(w) for w in initial],
        "x": enc(x),
        "y": enc(y),
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "final_weights": [enc(w) for w in model.get_weights()],
    }
    if "sample_weight" in fit_args:
        case["sample_weight"] = enc(fit_args["sample_weight"])
    if "validation_data" in fit_args:
        case["validation_x"] = enc(fit_args["validation_data"][0])
        case["validation_y"] = enc(fit_args["validation_data"][1])
    with open(os.path.join(HERE, "training", name + ".json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))
    print(name, {k: [round(v, 5) for v in vs] for k, vs in history.history.items()})


run("lstm_binary_adam", [keras.Input((T, F)), keras.layers.LSTM(4), keras.layers.Dense(1, activation="sigmoid")],
    dict(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"]), x_seq, y_binary,
    dict(batch_size=16))
run("stacked_lstm_mse_adam", [keras.Input((T, F)), keras.layers.LSTM(4, return_sequences=True), keras.layers.LSTM(3),
                              keras.layers.Dense(1)],
    dict(optimizer=keras.optimizers.Adam(0.01), loss="mse"), x_seq, y_regress, dict(batch_size=16))
run("gru_sparse_rmsprop", [keras.Input((T, F)), keras.layers.GRU(5), keras.layers.Dense(3, activation="softmax")],
    dict(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]), x_seq, y_classes,
    dict(batch_size=16))
run("simple_rnn_mse_sgd", [keras.Input((T, F)), keras.layers.SimpleRNN(4), keras.layers.Dense(1)],
    dict(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse", metrics=["mae"]), x_seq, y_regress,
    dict(batch_size=16))
run("dense_categorical_adamw_clipnorm", [keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                                         keras.layers.Dense(4, activation="softmax")],
    dict(optimizer=keras.optimizers.AdamW(0.01, clipnorm=0.5), loss="categorical_crossentropy",
         metrics=["accuracy"]), x_flat, y_onehot, dict(batch_size=10))
run("lstm_validation_split", [keras.Input((T, F)), keras.layers.LSTM(4), keras.layers.Dense(1, activation="sigmoid")],
    dict(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"]), x_seq, y_binary,
    dict(batch_size=16, validation_split=0.25))
run("dense_sample_weight_l2", [keras.Input((5,)), keras.layers.Dense(6, activation="tanh", kernel_regularizer="l2"),
                               keras.layers.Dense(1)],
    dict(optimizer="adam", loss="mse", metrics=["mae"]), x_flat, x_flat[:, :1] * 2 - x_flat[:, 1:2],
    dict(batch_size=12, sample_weight=np.linspace(0.5, 1.5, N).astype(np.float32),
         validation_data=(x_flat[:8], x_flat[:8, :1])))
run("dense_class_weight", [keras.Input((5,)), keras.layers.Dense(4, activation="softmax")],
    dict(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"]), x_flat, y_onehot,
    dict(batch_size=16, class_weight={0: 1.0, 1: 2.0, 2: 0.5, 3: 1.5}))
# weighted_metrics: "accuracy" in both lists is logged as accuracy (unweighted) and
# weighted_accuracy; "mae" only weighted keeps its name. The validation split carries its
# part of the sample weights.
run("dense_weighted_metrics", [keras.Input((5,)), keras.layers.Dense(4, activation="softmax")],
    dict(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"],
         weighted_metrics=["accuracy", "mae"]), x_flat, y_onehot,
    dict(batch_size=16, sample_weight=np.linspace(0.2, 2.0, N).astype(np.float32), validation_split=0.25))
