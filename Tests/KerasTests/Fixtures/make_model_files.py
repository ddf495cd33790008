"""Writes the whole-model fixtures under model_files/ for ModelSavingTests.swift.

For each model: Keras 3 `model.save("<name>.keras")` and `model.save("<name>.h5")`, tf_keras
(Keras 2) `model.save("<name>.tf_keras.h5")`, each compiled and trained one epoch, and
`<name>.json` with the input, the labels and each file's predictions. Run by hand:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_model_files.py
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
OUT = os.path.join(HERE, "model_files")


def enc(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def lstm_classifier(k):
    model = k.Sequential([k.Input((6, 3)), k.layers.LSTM(4), k.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def embedding_bidirectional(k):
    model = k.Sequential(
        [
            k.Input((5,)),
            k.layers.Embedding(12, 4),
            k.layers.Bidirectional(k.layers.GRU(3)),
            k.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=k.optimizers.RMSprop(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def conv_batchnorm(k):
    model = k.Sequential(
        [
            k.Input((8, 2)),
            k.layers.Conv1D(4, 3, activation="relu"),
            k.layers.BatchNormalization(),
            k.layers.GlobalAveragePooling1D(),
            k.layers.Dense(1),
        ]
    )
    model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse", metrics=["mae"])
    return model


def simple_rnn_stack(k):
    model = k.Sequential(
        [k.Input((6, 3)), k.layers.SimpleRNN(4, return_sequences=True), k.layers.SimpleRNN(3), k.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def data(name, rng):
    if name == "simple_rnn_stack":
        return rng.normal(size=(8, 6, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    if name == "lstm_classifier":
        return rng.normal(size=(8, 6, 3)).astype("float32"), (rng.random((8, 1)) > 0.5).astype("float32")
    if name == "embedding_bidirectional":
        return rng.integers(0, 12, size=(8, 5)).astype("float32"), rng.integers(0, 3, size=(8, 1)).astype("float32")
    return rng.normal(size=(8, 8, 2)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make in [
        ("lstm_classifier", lstm_classifier),
        ("embedding_bidirectional", embedding_bidirectional),
        ("conv_batchnorm", conv_batchnorm),
        ("simple_rnn_stack", simple_rnn_stack),
    ]:
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue  # regenerate only the models named on the command line
        rng = np.random.default_rng(7)
        x, y = data(name, rng)
        record = {"x": enc(x), "y": enc(y)}
        keras.utils.set_random_seed(1)
        model = make(keras)
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save(os.path.join(OUT, f"{name}.h5"))
        record["keras3"] = enc(model.predict(x, verbose=0))
        tf_keras.utils.set_random_seed(1)
        legacy = make(tf_keras)
        legacy.fit(x, y, epochs=1, batch_size=4, verbose=0)
        legacy.save(os.path.join(OUT, f"{name}.tf_keras.h5"))
        record["tf_keras"] = enc(legacy.predict(x, verbose=0))
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(record, f)


if __name__ == "__main__":
    main()
