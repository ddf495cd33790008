#!/usr/bin/env python3
"""Opens the text models SwiftKeras saved with `keras.models.load_model` and compares.

Run by hand, after the Swift tests "A Normalization model saved by Keras loads from .keras and .h5",
"A loaded text model saved from Swift keeps Keras' layout"
and "A text model built in Swift saves as a string-input Keras model"
(`swift test --filter "TextVectorizationTests|NormalizationPreprocessingTests"`) have written into
<dir> = $SWIFTKERAS_PREPROCESSING_CHECK_DIR, or <system temp>/swiftkeras-preprocessing-check:

    normalization.keras, normalization.h5
                       Keras' normalization.keras / .h5 (preprocessing/) loaded and saved again
                       by SwiftKeras (test "A Normalization model saved by Keras loads ...")
    text_model.keras   Keras' text_model.keras (preprocessing/) loaded and saved again by SwiftKeras
    text_sequential.keras  Keras' text_model_sequential.keras, loaded and saved again
    swift_text.keras   a TextVectorization -> Embedding -> pooling -> Dense model built in Swift
    <name>.json        the texts and SwiftKeras' predictions

Checks that Keras 3 opens the files, that the text models take strings, and that all predict
as SwiftKeras (and, for the Normalization model, Keras itself) did within 1e-5:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python check_swift_preprocessing.py
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

DIRECTORY = os.environ.get(
    "SWIFTKERAS_PREPROCESSING_CHECK_DIR", os.path.join(tempfile.gettempdir(), "swiftkeras-preprocessing-check"))


def main():
    failures = 0
    here = os.path.dirname(os.path.abspath(__file__))
    record = json.load(open(os.path.join(here, "preprocessing", "normalization.json")))["model"]
    x = np.array(record["input"]["values"], dtype="float32").reshape(record["input"]["shape"])
    expected = np.array(record["output"]["values"], dtype="float32").reshape(record["output"]["shape"])
    for extension in ["keras", "h5"]:
        model = keras.models.load_model(os.path.join(DIRECTORY, f"normalization.{extension}"))
        difference = float(np.max(np.abs(model.predict(x, verbose=0) - expected)))
        ok = difference < 1e-5
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'} normalization.{extension}: max difference {difference:.2e}")
    for name in ["text_model", "text_sequential", "swift_text"]:
        record = json.load(open(os.path.join(DIRECTORY, f"{name}.json")))
        expected = np.array(record["predictions"]["values"], dtype="float32").reshape(record["predictions"]["shape"])
        model = keras.models.load_model(os.path.join(DIRECTORY, f"{name}.keras"))
        predictions = model.predict(tf.constant(record["texts"])[:, None], verbose=0)
        difference = float(np.max(np.abs(predictions - expected)))
        vectorizer = next(layer for layer in model.layers if isinstance(layer, keras.layers.TextVectorization))
        ok = difference < 1e-5
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'} {name}.keras: max difference {difference:.2e}, "
              f"vocabulary of {vectorizer.vocabulary_size()} starting {vectorizer.get_vocabulary()[:4]}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
