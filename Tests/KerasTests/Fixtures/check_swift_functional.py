#!/usr/bin/env python3
"""Opens the Functional models SwiftKeras saved with `keras.models.load_model` and compares.

Run by hand, after the Swift test "writes Functional files for check_swift_functional.py"
(`swift test --filter FunctionalFilesForKeras`) has written into
<dir> = $SWIFTKERAS_FUNCTIONAL_CHECK_DIR, or <system temp>/swiftkeras-functional-check:

    <name>.keras, <name>.h5   saved by SwiftKeras (three Keras fixtures reloaded, and a
                              two-output model built, compiled and trained in Swift)
    <name>.json               the inputs and SwiftKeras' predictions
    (and, written by FunctionalMaskTests when the variable is set, masked and nested models)

Checks that Keras 3 opens both files (compiled where Swift compiled) and predicts as
SwiftKeras did within 1e-5:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python check_swift_functional.py
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402

DIRECTORY = os.environ.get(
    "SWIFTKERAS_FUNCTIONAL_CHECK_DIR", os.path.join(tempfile.gettempdir(), "swiftkeras-functional-check"))
NAMES = ["two_branch", "seq2seq", "merges", "swift_two_branch"]
# Written by FunctionalMaskTests and AttentionModelTests when SWIFTKERAS_FUNCTIONAL_CHECK_DIR is
# set; skipped when absent.
OPTIONAL_NAMES = ["mask_concat", "mask_merges", "nested_functional", "attention_encoder", "attention_cross"]


def main():
    failures = 0
    for name in NAMES + OPTIONAL_NAMES:
        if name in OPTIONAL_NAMES and not os.path.exists(os.path.join(DIRECTORY, f"{name}.json")):
            print(f"skip {name}: not written")
            continue
        record = json.load(open(os.path.join(DIRECTORY, f"{name}.json")))
        inputs = [np.array(a["values"], dtype="float32").reshape(a["shape"]) for a in record["inputs"]]
        expected = [np.array(a["values"], dtype="float32").reshape(a["shape"]) for a in record["outputs"]]
        for extension in ["keras", "h5"]:
            path = os.path.join(DIRECTORY, f"{name}.{extension}")
            model = keras.models.load_model(path)
            predictions = model.predict(inputs, verbose=0)
            if not isinstance(predictions, list):
                predictions = [predictions]
            worst = max(float(np.max(np.abs(p - e))) for p, e in zip(predictions, expected))
            compiled = model.compiled if hasattr(model, "compiled") else None
            status = "ok" if worst < 1e-5 else "FAIL"
            failures += status == "FAIL"
            print(f"{status:4} {name}.{extension}: max difference {worst:.2e}, compiled={compiled}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
