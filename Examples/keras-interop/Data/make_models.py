#!/usr/bin/env python3
"""Trains the waveform classifier in Python Keras and writes the files keras-interop loads.

The task: a sequence of 48 samples is one of three waveforms (0 sine, 1 square, 2 sawtooth)
with a random frequency, phase and amplitude, plus Gaussian noise. Keras trains

    Sequential([Input((48, 1)), LSTM(16), Dense(3, activation="softmax")])
    compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

on 2000 clean-ish waves (1-4 cycles per window, noise 0.1) and saves it three ways:

    waveform_classifier.keras        model.save(...)          architecture, weights, optimizer state
    waveform_classifier.h5           model.save(...)          legacy whole-model HDF5
    waveform_classifier.weights.h5   model.save_weights(...)  weights only

with the data keras-interop uses (all float32 .npy, labels int32):

    x_test.npy [200, 48, 1], y_test.npy [200]    drawn like the training data
    keras_predictions.npy [200, 3]               model.predict(x_test) in Keras
    x_shifted_train.npy [320, 48, 1], y_shifted_train.npy [320]
    x_shifted_test.npy [160, 48, 1], y_shifted_test.npy [160]
                                                 waves of 1-8 cycles with noise 0.3: the
                                                 "new data" keras-interop fine-tunes on, faster
                                                 and noisier than the model was trained on

Run by hand from this directory (it rewrites the files beside it):

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_models.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 48


def waves(count, rng, cycles, noise):
    """`count` waves `[count, STEPS, 1]` and their kinds `[count]` (0 sine, 1 square, 2 sawtooth)."""
    kinds = rng.integers(0, 3, size=count)
    t = np.arange(STEPS) / STEPS
    frequency = rng.uniform(*cycles, size=(count, 1))
    phase = rng.uniform(0, 1, size=(count, 1))
    amplitude = rng.uniform(0.5, 1.5, size=(count, 1))
    position = (frequency * t + phase) % 1.0  # where in its cycle each sample is, in [0, 1)
    shapes = np.stack([np.sin(2 * np.pi * position), np.where(position < 0.5, 1.0, -1.0), 2 * position - 1])
    x = amplitude * shapes[kinds, np.arange(count)] + noise * rng.normal(size=(count, STEPS))
    return x[..., None].astype("float32"), kinds.astype("int32")


def build():
    return keras.Sequential(
        [keras.Input((STEPS, 1)), keras.layers.LSTM(16), keras.layers.Dense(3, activation="softmax")],
        name="waveform_classifier",
    )


def main():
    rng = np.random.default_rng(2024)
    x_train, y_train = waves(2000, rng, cycles=(1, 4), noise=0.1)
    x_test, y_test = waves(200, rng, cycles=(1, 4), noise=0.1)
    x_shifted_train, y_shifted_train = waves(320, rng, cycles=(1, 8), noise=0.3)
    x_shifted_test, y_shifted_test = waves(160, rng, cycles=(1, 8), noise=0.3)

    keras.utils.set_random_seed(1)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=20, validation_split=0.1, verbose=2)
    print("test", model.evaluate(x_test, y_test, verbose=0, return_dict=True))
    print("shifted test", model.evaluate(x_shifted_test, y_shifted_test, verbose=0, return_dict=True))

    model.save(os.path.join(HERE, "waveform_classifier.keras"))
    model.save(os.path.join(HERE, "waveform_classifier.h5"))
    model.save_weights(os.path.join(HERE, "waveform_classifier.weights.h5"))
    arrays = {
        "x_test": x_test, "y_test": y_test, "keras_predictions": model.predict(x_test, verbose=0),
        "x_shifted_train": x_shifted_train, "y_shifted_train": y_shifted_train,
        "x_shifted_test": x_shifted_test, "y_shifted_test": y_shifted_test,
    }
    for name, array in arrays.items():
        np.save(os.path.join(HERE, f"{name}.npy"), array)


if __name__ == "__main__":
    main()
