#!/usr/bin/env python3
"""Writes the NumPy golden values TensorCore's tests compare against.

Run by hand from this directory with any Python that has NumPy (and SciPy for
erf): `python3 make_numpy_fixtures.py`. It writes:
  numpy_cases.json  broadcasting, reductions, activations and shape ops, computed in float32
  printing.json     arrays and NumPy's str() of them (default print options)
  npy/*.npy         files in the dtypes and layouts the .npy reader must accept
Inputs are seeded, so rerunning gives identical files.
"""
import json
import math

import numpy as np
from scipy.special import erf

rng = np.random.default_rng(20261123)


def rand(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def enc(a):
    a = np.asarray(a)
    # JSON has no NaN or infinity: those are written as the strings "nan", "inf", "-inf".
    data = [float(v) if math.isfinite(v) else str(v) for v in a.astype(np.float64).ravel()]
    return {"shape": list(a.shape), "data": data}


cases = []


def case(name, op, inputs, expected, **args):
    cases.append({"name": name, "op": op, "inputs": [enc(x) for x in inputs], "args": args, "expected": enc(expected)})


# Broadcasting binary ops.
shapes = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([3, 1, 4], [2, 1]), ([], [2, 2]), ([4, 1, 3], [1, 5, 1]),
          ([2, 3, 4], [1, 3, 1])]
binary = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
          "maximum": np.maximum, "minimum": np.minimum}
for sa, sb in shapes:
    a, b = rand(*sa), rand(*sb)
    b = np.where(np.abs(b) < 0.1, np.float32(0.5), b).astype(np.float32)  # keep divisors away from 0
    for name, f in binary.items():
        case(f"{name} {sa} {sb}", name, [a, b], f(a, b))
a, b = rand(2, 3, low=0.5, high=2), rand(3)
case("pow [2, 3] [3]", "pow", [a, b], np.power(a, b))
c = (rand(2, 3) > 0).astype(np.float32)
x, y = rand(2, 3), rand(3)
case("where [2, 3] [2, 3] [3]", "where", [c, x, y], np.where(c != 0, x, y))
for name, f in {"equal": np.equal, "less": np.less, "greater_equal": np.greater_equal}.items():
    a = np.round(rand(3, 4)).astype(np.float32)
    b = np.round(rand(4)).astype(np.float32)
    case(f"{name} [3, 4] [4]", name, [a, b], f(a, b).astype(np.float32))

# Reductions.
x = rand(2, 3, 4)
for axes in [None, [0], [1], [2], [-1], [0, 1], [1, 2], [0, 2], [0, 1, 2]]:
    for keep in [False, True]:
        ax = None if axes is None else tuple(axes)
        for name, f in {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "variance": np.var}.items():
            case(f"{name} axes={axes} keepdims={keep}", name, [x], f(x, axis=ax, keepdims=keep), axes=axes, keepDims=keep)
        m = np.max(x, axis=ax, keepdims=True)
        lse = np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True)) + m
        if not keep:
            lse = np.squeeze(lse, axis=ax) if ax is not None else lse.reshape(())
        case(f"logSumExp axes={axes} keepdims={keep}", "logSumExp", [x], lse, axes=axes, keepDims=keep)
for axis in [0, 1, -1]:
    case(f"argmax axis={axis}", "argmax", [x], np.argmax(x, axis=axis).astype(np.float32), axis=axis)
    case(f"argmin axis={axis}", "argmin", [x], np.argmin(x, axis=axis).astype(np.float32), axis=axis)

# Activations (definitions of keras.activations, computed in float64 then rounded).
x = rand(3, 5, low=-4, high=4)
xd = x.astype(np.float64)
sig = 1 / (1 + np.exp(-xd))
acts = {
    "relu": np.maximum(xd, 0), "sigmoid": sig, "tanh": np.tanh(xd),
    "hard_sigmoid": np.clip(xd / 6 + 0.5, 0, 1),
    "elu": np.where(xd > 0, xd, np.expm1(xd)),
    "selu": 1.0507009873554804934193349852946 * np.where(xd > 0, xd, 1.6732632423543772848170429916717 * np.expm1(xd)),
    "gelu": 0.5 * xd * (1 + erf(xd / math.sqrt(2))),
    "gelu_approximate": 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi) * (xd + 0.044715 * xd ** 3))),
    "softplus": np.log1p(np.exp(xd)), "softsign": xd / (1 + np.abs(xd)), "swish": xd * sig,
    "leaky_relu": np.where(xd >= 0, xd, 0.2 * xd), "linear": xd,
    "exp": np.exp(xd), "abs": np.abs(xd), "square": xd * xd,
}
for name, v in acts.items():
    case(name, name, [x], v.astype(np.float32))
for axis in [-1, 0]:
    e = np.exp(xd - xd.max(axis=axis, keepdims=True))
    sm = e / e.sum(axis=axis, keepdims=True)
    case(f"softmax axis={axis}", "softmax", [x], sm.astype(np.float32), axis=axis)
    case(f"log_softmax axis={axis}", "log_softmax", [x], np.log(sm).astype(np.float32), axis=axis)
p = rand(2, 3, low=0.1, high=3)
case("log", "log", [p], np.log(p.astype(np.float64)).astype(np.float32))
case("sqrt", "sqrt", [p], np.sqrt(p.astype(np.float64)).astype(np.float32))
case("clip", "clip", [x], np.clip(x, -1, 0.5), min=-1, max=0.5)

# Shape ops and matmul.
x = rand(2, 3, 4)
case("permute [2, 0, 1]", "permute", [x], np.transpose(x, (2, 0, 1)), axes=[2, 0, 1])
case("permute [1, 0, 2]", "permute", [x], np.transpose(x, (1, 0, 2)), axes=[1, 0, 2])
case("transpose", "transpose", [x], np.transpose(x))
case("reshape [4, -1]", "reshape", [x], x.reshape(4, -1), shape=[4, -1])
y = rand(3, 1)
case("broadcast_to [2, 3, 4]", "broadcast_to", [y], np.broadcast_to(y, (2, 3, 4)), shape=[2, 3, 4])
a, b, c = rand(2, 3), rand(2, 1), rand(2, 2)
case("concatenate axis 1", "concatenate", [a, b, c], np.concatenate([a, b, c], axis=1), axis=1)
a, b = rand(2, 3), rand(2, 3)
case("stack axis 1", "stack", [a, b], np.stack([a, b], axis=1), axis=1)
case("slice axis 1 1..<3", "slice", [x], x[:, 1:3, :], axis=1, start=1, end=3)
a, b = rand(3, 4), rand(4, 5)
case("matmul [3, 4] [4, 5]", "matmul", [a, b], a @ b)
a, b = rand(2, 3, 4), rand(2, 4, 2)
case("matmul [2, 3, 4] [2, 4, 2]", "matmul", [a, b], a @ b)
a, b = rand(2, 3, 4), rand(4, 5)
case("matmul [2, 3, 4] [4, 5]", "matmul", [a, b], a @ b)
table = rand(5, 3)
ids = np.array([[4, 0], [2, 4]])
case("gather rows", "gather", [table, ids.astype(np.float32)], table[ids])
case("one_hot", "one_hot", [np.array([2, 0, 5, 1], dtype=np.float32)], np.eye(4, dtype=np.float32)[[2, 0, 3, 1]] * np.array([[1], [1], [0], [1]], dtype=np.float32), depth=4)

with open("numpy_cases.json", "w") as f:
    json.dump({"generator": "make_numpy_fixtures.py", "numpy": np.__version__, "cases": cases}, f, separators=(",", ":"))

# Printing.
arrays = [
    np.array([1, 2, 3], dtype=np.float32),
    np.array([[1, 2], [3, 4]], dtype=np.float32),
    np.array([1.5, 2.25, 3], dtype=np.float32),
    np.array([0.1, -0.25, 100.5], dtype=np.float32),
    np.array([1e-5, 1.0], dtype=np.float32),
    np.array([1e9, -2.5], dtype=np.float32),
    np.array([np.nan, 1.5, -np.inf], dtype=np.float32),
    np.array([0.0, 0.0], dtype=np.float32),
    np.array(3.0, dtype=np.float32),
    np.array(0.1, dtype=np.float32),
    np.zeros((0, 3), dtype=np.float32),
    np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,
    np.arange(30, dtype=np.float32) * 1.25,
    np.arange(2000, dtype=np.float32).reshape(40, 50),
    np.arange(1200, dtype=np.float32),
    rand(3, 4),
    np.array([123456.789, 0.5], dtype=np.float32),
    np.array([-1.0, 2.0, -3.5], dtype=np.float32),
]
with open("printing.json", "w") as f:
    json.dump({"generator": "make_numpy_fixtures.py", "numpy": np.__version__, "cases": [dict(enc(a), text=str(a)) for a in arrays]}, f, separators=(",", ":"))

# .npy files in the dtypes and layouts the reader accepts.
base = np.arange(6).reshape(2, 3)
np.save("npy/float32.npy", (base / 4).astype(np.float32))
np.save("npy/float64.npy", (base / 4).astype(np.float64))
np.save("npy/int32.npy", (base - 2).astype(np.int32))
np.save("npy/int64.npy", (base - 2).astype(np.int64))
np.save("npy/fortran.npy", np.asfortranarray((base / 4).astype(np.float32)))
np.save("npy/bigendian.npy", (base / 4).astype(">f4"))
np.save("npy/scalar.npy", np.float32(2.5))
np.save("npy/bool.npy", np.array([True, False, True]))
np.save("npy/rank3.npy", np.arange(24, dtype=np.float32).reshape(2, 3, 4))
print(len(cases), "cases,", len(arrays), "printing cases")
