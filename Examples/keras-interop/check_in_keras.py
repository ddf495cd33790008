#!/usr/bin/env python3
"""Opens in Python Keras the files keras-interop wrote and compares with Swift's predictions.

keras-interop fine-tunes Keras' waveform classifier in Swift and writes to its output directory

    fine_tuned.keras, fine_tuned.h5   the whole model, compiled, with Adam's state
    fine_tuned.weights.h5             the weights and optimizer state only
    swift_predictions.npy             Swift's predictions on Data/x_shifted_test.npy

This script loads the two whole-model files with `keras.models.load_model`, the weights into
the architecture of Data/make_models.py with `load_weights`, predicts the same waves, and prints
the largest difference from Swift's predictions and the accuracy; then it trains the .keras
model one more epoch in Keras, to show the optimizer state came along. It exits non-zero when a
difference exceeds 1e-5.

    swift run -c release keras-interop            # writes $TMPDIR/keras-interop-output
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python Examples/keras-interop/check_in_keras.py [DIR]
"""
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import logging  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402

for noisy in ["absl", "tensorflow"]:  # retracing and "metrics not built yet" notices
    logging.getLogger(noisy).setLevel(logging.ERROR)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Data")
TOLERANCE = 1e-5


def build():
    """The architecture of Data/make_models.py."""
    return keras.Sequential(
        [keras.Input((48, 1)), keras.layers.LSTM(16), keras.layers.Dense(3, activation="softmax")],
        name="waveform_classifier",
    )


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "keras-interop-output")
    x = np.load(os.path.join(DATA, "x_shifted_test.npy"))
    y = np.load(os.path.join(DATA, "y_shifted_test.npy"))
    swift = np.load(os.path.join(directory, "swift_predictions.npy"))
    print(f"Keras {keras.__version__}: {len(x)} shifted test waves, Swift's accuracy {np.mean(swift.argmax(-1) == y):.4f}")

    failures = 0
    for file in ["fine_tuned.keras", "fine_tuned.h5", "fine_tuned.weights.h5"]:
        path = os.path.join(directory, file)
        if file.endswith(".weights.h5"):
            model = build()
            model.load_weights(path)
        else:
            model = keras.models.load_model(path)
            assert model.optimizer is not None, f"{path}: loaded without its optimizer"
        predictions = model.predict(x, verbose=0)
        difference = float(np.max(np.abs(predictions - swift)))
        status = "ok  " if difference <= TOLERANCE else "FAIL"
        failures += status == "FAIL"
        accuracy = float(np.mean(predictions.argmax(-1) == y))
        print(f"{status} {file:24} max |Keras - Swift| = {difference:.2e}, accuracy {accuracy:.4f}")

    model = keras.models.load_model(os.path.join(directory, "fine_tuned.keras"))
    iterations = int(model.optimizer.iterations.numpy())
    history = model.fit(
        np.load(os.path.join(DATA, "x_shifted_train.npy")), np.load(os.path.join(DATA, "y_shifted_train.npy")),
        batch_size=32, epochs=1, verbose=0,
    )
    print(
        f"fine_tuned.keras keeps training in Keras: Adam resumed at step {iterations}, "
        f"one more epoch loss {history.history['loss'][-1]:.4f}"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
