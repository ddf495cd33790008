#!/usr/bin/env python3
"""Writes h5py_written.h5, the fixture HDF5Tests reads to check that files
written by h5py (as Keras does) come out right in Swift.

Every value is deterministic; the Swift test states the same numbers.
Run:  python3 make_h5py_fixture.py   (needs h5py and numpy; writes next to
this script). Written with h5py 3.14 / HDF5 1.14 at the default libver
("earliest"), so libhdf5 1.10 reads it.
"""
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h5py_written.h5")

with h5py.File(OUT, "w") as f:
    # Root attributes, as Keras writes them on a legacy .h5 model.
    f.attrs["backend"] = "tensorflow"  # Python str: variable-length UTF-8
    f.attrs["keras_version"] = np.bytes_(b"2.15.0")  # fixed-length scalar bytes
    f.attrs["layer_names"] = np.array([b"dense", b"dense_1"])  # S7 array
    f.attrs["epochs"] = 12  # int64 scalar
    f.attrs["learning_rate"] = 0.001  # float64 scalar
    f.attrs["scale"] = np.float32(0.5)  # float32 scalar
    f.attrs["shape"] = np.array([2, 3], dtype=np.int32)  # int32 1-D
    f.attrs["means"] = np.array([0.25, 0.5, 0.75])  # float64 1-D
    f.attrs["tags"] = np.array(["alpha", "βeta"], dtype=h5py.string_dtype())  # vlen str 1-D

    # Keras 2 style weights: model_weights/<layer>/<layer>/<weight>:0.
    weights = f.create_group("model_weights")
    dense = weights.create_group("dense")
    dense.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
    inner = dense.create_group("dense")
    kernel = inner.create_dataset("kernel:0", data=np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
    kernel.attrs["units"] = np.int64(3)
    inner.create_dataset("bias:0", data=np.array([0.5, -1.5, 2.25], dtype=np.float32))

    # One dataset per numeric type.
    numbers = f.create_group("numbers")
    numbers.create_dataset("float64", data=np.linspace(0.0, 1.0, 5))
    numbers.create_dataset("int32", data=np.arange(-3, 3, dtype=np.int32).reshape(2, 3))
    numbers.create_dataset("int64", data=np.arange(4, dtype=np.int64) * 1_000_000_000_000)
    numbers.create_dataset("uint8", data=np.arange(250, 256, dtype=np.uint8))
    numbers.create_dataset("float16", data=np.array([0.5, 1.5, -2.0], dtype=np.float16))
    numbers.create_dataset("scalar", data=np.float64(3.5))

    # Strings.
    strings = f.create_group("strings")
    strings.create_dataset("variable", data=np.array(["alpha", "βeta", ""], dtype=h5py.string_dtype()))
    strings.create_dataset("fixed", data=np.array([b"ab", b"cde"]))

    # Creation order: tracked in one group, not in the other.
    ordered = f.create_group("ordered", track_order=True)
    for name in ["zeta", "alpha", "mid"]:
        ordered.create_group(name)
    ordered.create_dataset("beta", data=np.array([1], dtype=np.int32))
    unordered = f.create_group("unordered")
    for name in ["zeta", "alpha", "mid"]:
        unordered.create_group(name)

    # Hostile shapes: declared but never written, so they take no space in
    # the file. Reading them must fail with a limit error, not allocate.
    hostile = f.create_group("hostile")
    hostile.create_dataset("too_many_elements", shape=(1 << 16, 1 << 16), dtype=np.float32)  # 2^32
    hostile.create_dataset("too_many_bytes", shape=(1 << 14, 1 << 14), dtype=np.float32)  # 1 GiB
    hostile.create_dataset("too_long_string", shape=(1,), dtype="S%d" % ((64 << 20) + 1))

print("wrote", OUT, os.path.getsize(OUT), "bytes")
