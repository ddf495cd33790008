#!/usr/bin/env python3
"""Keras' class name and config for each initializer name, for the name-resolution tests.

    /tmp/kerasref/bin/python make_initializer_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

names = ["zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal", "variance_scaling",
         "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal",
         "identity"]
out = {}
for name in names:
    init = keras.initializers.Constant(0.0) if name == "constant" else keras.initializers.get(name)
    out[name] = {"class_name": init.__class__.__name__, "config": init.get_config()}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "initializers.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("done")
