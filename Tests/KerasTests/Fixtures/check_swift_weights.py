#!/usr/bin/env python3
"""Loads the .weights.h5 files SwiftKeras wrote into real Keras and compares.

Run by hand, after the Swift test "writes files for check_swift_weights.py"
(`swift test --filter WeightsH5`) has written, per case of make_weights_fixtures.py,

    <dir>/<name>.weights.h5   saved by Swift after loading Keras' fixture and
                              training one more epoch (optimizer state included)
    <dir>/<name>.json         Swift's predictions when saving, and its
                              predictions and weights after one further epoch

into <dir> = $SWIFTKERAS_WEIGHTS_CHECK_DIR, or <system temp>/swiftkeras-weights-check.
For each case this script checks that

  1. the file's layout (groups, datasets, shapes, dtypes, attribute names) is
     exactly the layout Keras writes for the same model;
  2. Keras' `model.load_weights` takes it without a warning (the optimizer
     state included) and predicts as Swift did (1e-5);
  3. the optimizer state resumed: after one more epoch of `fit` in Keras, the
     weights and predictions are Swift's after its one more epoch (1e-5).

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python check_swift_weights.py
"""
import json
import os
import sys
import tempfile
import warnings

import h5py
import numpy as np

from make_weights_fixtures import CASES, data, keras3_model

DIRECTORY = os.environ.get(
    "SWIFTKERAS_WEIGHTS_CHECK_DIR", os.path.join(tempfile.gettempdir(), "swiftkeras-weights-check")
)


def layout(path):
    """Every group and dataset: path, shape, dtype and attribute names."""
    lines = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                lines.append(f"D {name} {obj.shape} {obj.dtype}")
            else:
                lines.append(f"G {name} {sorted(obj.attrs.keys())}")
        f.visititems(visit)
    return sorted(lines)


def array(record):
    return np.asarray(record["data"], dtype=np.float32).reshape(record["shape"])


def check(name):
    path = os.path.join(DIRECTORY, f"{name}.weights.h5")
    with open(os.path.join(DIRECTORY, f"{name}.json")) as f:
        swift = json.load(f)
    x, y = data(name)
    model = keras3_model(name)
    model.optimizer.build(model.trainable_variables)
    problems = []

    reference = os.path.join(tempfile.mkdtemp(), "keras.weights.h5")
    model.save_weights(reference)
    if layout(path) != layout(reference):
        ours, theirs = set(layout(path)), set(layout(reference))
        problems.append(f"layout differs: only in Swift's {sorted(ours - theirs)}, only in Keras' {sorted(theirs - ours)}")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.load_weights(path)
    problems += [f"warning: {w.message}" for w in caught if "Skipping" in str(w.message)]
    iterations = int(model.optimizer.iterations.numpy())
    if iterations != 6:
        problems.append(f"optimizer iterations {iterations}, expected 6 (2 epochs in Keras + 1 in Swift)")

    saved_difference = float(np.abs(model.predict(x, verbose=0) - array(swift["prediction_saved"])).max())
    if not saved_difference <= 1e-5:  # NaN fails too
        problems.append(f"predictions differ from Swift's by {saved_difference}")

    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    epoch_difference = float(np.abs(model.predict(x, verbose=0) - array(swift["prediction_after_epoch"])).max())
    if not epoch_difference <= 1e-5:
        problems.append(f"after one more epoch, predictions differ from Swift's by {epoch_difference}")
    weight_difference = max(
        float(np.abs(ours - array(theirs)).max()) for ours, theirs in zip(model.get_weights(), swift["weights_after_epoch"])
    )
    if not weight_difference <= 1e-5:
        problems.append(f"after one more epoch, weights differ from Swift's by {weight_difference}")

    status = "ok" if not problems else "FAILED"
    print(
        f"{name:18} {status}: prediction diff {saved_difference:.2e}; after one more epoch: "
        f"prediction diff {epoch_difference:.2e}, weight diff {weight_difference:.2e}"
    )
    for problem in problems:
        print(f"    {problem}")
    return not problems


def main():
    missing = [name for name in CASES if not os.path.exists(os.path.join(DIRECTORY, f"{name}.weights.h5"))]
    if missing:
        print(f"no Swift-written files for {missing} in {DIRECTORY}; run `swift test --filter WeightsH5` first")
        return 1
    results = [check(name) for name in CASES]
    print(f"{sum(results)} of {len(results)} cases pass")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
