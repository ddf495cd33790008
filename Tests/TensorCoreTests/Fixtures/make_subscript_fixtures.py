#!/usr/bin/env python3
"""Writes the NumPy golden values for TensorCore's NumPy-style subscripts (SubscriptTests.swift).

Run by hand from this directory with any Python that has NumPy: `python3 make_subscript_fixtures.py`.
It writes subscripts.json: for each NumPy index expression, its Swift spelling, the input, NumPy's
result, a fixed random upstream gradient `u` of the result's shape, and the gradient of
`sum(x[...] * u)` with respect to `x`. That gradient is computed by NumPy arithmetic alone:
`np.arange(x.size).reshape(x.shape)[index]` is the flat source position of each result element, and
`np.add.at` adds `u` into zeros at those positions (so repeated gather indices accumulate).
Inputs are seeded multiples of 1/4 (upstream gradients of 1/8), exact in float32, so the
comparison is exact and rerunning gives an identical file.
"""
import json

import numpy as np

rng = np.random.default_rng(20261207)

A = (3, 4, 5)
B = (6,)
C = (4, 3)

# (NumPy expression on x, Swift spelling, input shape, the index as Python applies it)
cases = [
    ("x[:, :, 0]", "try x[.all, .all, 0]", A, np.s_[:, :, 0]),
    ("x[..., -1]", "try x[.ellipsis, -1]", A, np.s_[..., -1]),
    ("x[::2]", "try x[.slice(by: 2)]", A, np.s_[::2]),
    ("x[:, None]", "try x[.all, .newAxis]", A, np.s_[:, None]),
    ("x[[0, 2, 1, 2]]", "try x[[0, 2, 1, 2]]", A, np.s_[[0, 2, 1, 2]]),
    ("x[1]", "x[1]", A, np.s_[1]),
    ("x[-1]", "x[-1]", A, np.s_[-1]),
    ("x[1:3]", "x[1..<3]", A, np.s_[1:3]),
    ("x[-2:]", "try x[(-2)...]", A, np.s_[-2:]),
    ("x[:, 1:3, -1]", "try x[.all, 1..<3, -1]", A, np.s_[:, 1:3, -1]),
    ("x[0, 1:, ::-2]", "try x[0, 1..., .slice(by: -2)]", A, np.s_[0, 1:, ::-2]),
    ("x[1, 2]", "try x[1, 2] as Tensor", A, np.s_[1, 2]),
    ("x[0, 0, 0]", "try x[0, 0, 0] as Tensor", A, np.s_[0, 0, 0]),
    ("x[-1, ..., 1]", "try x[-1, .ellipsis, 1]", A, np.s_[-1, ..., 1]),
    ("x[1:3, None, ..., ::2]", "try x[1..<3, .newAxis, .ellipsis, .slice(by: 2)]", A, np.s_[1:3, None, ..., ::2]),
    ("x[:, :0]", "try x[.all, ..<0]", A, np.s_[:, :0]),
    ("x[0, :, [0, 2]]", "try x[0, .all, [0, 2]]", A, np.s_[0, :, [0, 2]]),
    ("x[:, [0, 2], 0]", "try x[.all, [0, 2], 0]", A, np.s_[:, [0, 2], 0]),
    ("x[[0, 2], :, [1, -1]]", "try x[[0, 2], .all, [1, -1]]", A, np.s_[[0, 2], :, [1, -1]]),
    ("x[:, [[0], [2]], [1, 2, 3]]", "try x[.all, IntTensor([[0], [2]]), [1, 2, 3]]", A, np.s_[:, [[0], [2]], [1, 2, 3]]),
    ("x[:, 1, None, [0, 3]]", "try x[.all, 1, .newAxis, [0, 3]]", A, np.s_[:, 1, None, [0, 3]]),
    ("x[[1, 1, 0], 1:3]", "try x[[1, 1, 0], 1..<3]", A, np.s_[[1, 1, 0], 1:3]),
    ("x[[2, 0, 2], -1]", "try x[[2, 0, 2], -1]", A, np.s_[[2, 0, 2], -1]),
    ("x[::-1]", "try x[.slice(by: -1)]", B, np.s_[::-1]),
    ("x[1:6:2]", "try x[.slice(from: 1, to: 6, by: 2)]", B, np.s_[1:6:2]),
    ("x[-1:0:-2]", "try x[.slice(from: -1, to: 0, by: -2)]", B, np.s_[-1:0:-2]),
    ("x[2:100]", "x[2..<100]", B, np.s_[2:100]),
    ("x[-3:-1]", "x[(-3)..<(-1)]", B, np.s_[-3:-1]),
    ("x[1:4]", "try x[1...3]", B, np.s_[1:4]),
    ("x[-3:]", "try x[(-3)...(-1)]", B, np.s_[-3:]),
    ("x[:3]", "try x[..<3]", B, np.s_[:3]),
    ("x[:4]", "try x[...3]", B, np.s_[:4]),
    ("x[0:6:2]", "try x[stride(from: 0, to: 6, by: 2)]", B, np.s_[0:6:2]),
    ("x[5:0:-2]", "try x[stride(from: 5, through: 1, by: -2)]", B, np.s_[5:0:-2]),
    ("x[np.array([[0, 1], [2, 0]])]", "try x[IntTensor([[0, 1], [2, 0]])]", C, np.s_[np.array([[0, 1], [2, 0]])]),
    ("x[:, [-1, 0]]", "try x[.all, [-1, 0]]", C, np.s_[:, [-1, 0]]),
    ("x[None, ..., None]", "try x[.newAxis, .ellipsis, .newAxis]", C, np.s_[None, ..., None]),
    ("x[...]", "x[...]", C, np.s_[...]),
]


def enc(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(v) if v != int(v) else int(v) for v in a.astype(np.float64).ravel()]}


out = []
for name, swift, shape, index in cases:
    # Quarters and eighths: exact in float32 and short in JSON; sums of them stay exact.
    x = (rng.integers(-40, 40, size=shape) / 4).astype(np.float32)
    y = np.asarray(x[index])
    u = (rng.integers(-8, 9, size=y.shape) / 8).astype(np.float32)
    source = np.asarray(np.arange(x.size).reshape(x.shape)[index])
    grad = np.zeros(x.size, dtype=np.float32)
    np.add.at(grad, source.ravel(), u.ravel())
    out.append({"name": name, "swift": swift, "input": enc(x), "expected": enc(y), "upstream": enc(u),
                "gradient": enc(grad.reshape(x.shape))})

with open("subscripts.json", "w") as f:
    json.dump({"cases": out}, f, separators=(",", ":"))
    f.write("\n")
print(f"{len(out)} cases")
