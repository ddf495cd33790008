#!/usr/bin/env python3
"""Opens the .keras and .h5 models SwiftKeras saved with `keras.models.load_model` and compares.

Run by hand, after the Swift test "writes files for check_swift_models.py"
(`swift test --filter ModelSaving`) has written, per model of make_model_files.py,

    <dir>/<name>.keras, <dir>/<name>.h5   saved by Swift after loading Keras' .keras
                                          fixture and training one more epoch
    <dir>/<name>.json                     Swift's predictions when saving, and after
                                          one further epoch

into <dir> = $SWIFTKERAS_MODELS_CHECK_DIR, or <system temp>/swiftkeras-models-check.
For each model this script checks that

  1. Keras 3 `keras.models.load_model` opens both files, compiled, and predicts
     as Swift did (1e-5);
  2. the .keras file's optimizer state resumes: one more epoch of `fit` in Keras
     predicts as Swift did after its one more epoch (1e-5).

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python check_swift_models.py
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["lstm_classifier", "embedding_bidirectional", "conv_batchnorm", "simple_rnn_stack"]
DIRECTORY = os.environ.get(
    "SWIFTKERAS_MODELS_CHECK_DIR", os.path.join(tempfile.gettempdir(), "swiftkeras-models-check")
)
TOLERANCE = 1e-5


def dec(record):
    return np.asarray(record["data"], dtype=np.float32).reshape(record["shape"])


def main():
    failures = 0
    for name in NAMES:
        with open(os.path.join(HERE, "model_files", f"{name}.json")) as f:
            fixture = json.load(f)
        with open(os.path.join(DIRECTORY, f"{name}.json")) as f:
            swift = json.load(f)
        x, y = dec(fixture["x"]), dec(fixture["y"])
        for extension in ["keras", "h5"]:
            path = os.path.join(DIRECTORY, f"{name}.{extension}")
            model = keras.models.load_model(path)
            assert model.optimizer is not None and model.loss is not None, f"{path}: not compiled"
            difference = float(np.max(np.abs(model.predict(x, verbose=0) - dec(swift["prediction_saved"]))))
            status = "ok" if difference <= TOLERANCE else "FAIL"
            failures += status == "FAIL"
            print(f"{status} {name}.{extension}: predictions differ by {difference:.2e}")
            if extension == "keras":
                model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
                after = model.predict(x, verbose=0)
                difference = float(np.max(np.abs(after - dec(swift["prediction_after_epoch"]))))
                status = "ok" if difference <= TOLERANCE else "FAIL"
                failures += status == "FAIL"
                print(f"{status} {name}.keras: after one more epoch, predictions differ by {difference:.2e}")
            else:
                model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
                print(f"ok {name}.h5: keeps training in Keras")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
