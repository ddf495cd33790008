"""The benchmark workloads' data, drawn from NumPy (seed 0 by default): one module that
keras_workloads.py and torch_workloads.py both import, so the two references train on the same
arrays by construction (it needs only NumPy: each script runs in its own venv). The Swift harness
saves these arrays to .npy through the scripts' WORKLOADS tables and trains on them too.
"""
import numpy as np


def data_classify(n=4096, t=32, f=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, t, f)).astype(np.float32)
    y = (x[:, :, 0].mean(axis=1) > 0).astype(np.float32).reshape(-1, 1)
    return x, y


def data_forecast(n=2048, t=60, seed=0):
    rng = np.random.default_rng(seed)
    steps = np.arange(n + t + 1, dtype=np.float32)
    series = np.sin(steps * 0.07) + 0.5 * np.sin(steps * 0.011) + 0.1 * rng.standard_normal(steps.shape).astype(np.float32)
    x = np.stack([series[i:i + t] for i in range(n)])[:, :, None].astype(np.float32)
    y = series[t:t + n].reshape(-1, 1).astype(np.float32)
    return x, y


def data_large(n=1024, t=100, f=128, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, t, f)).astype(np.float32)
    y = rng.standard_normal((n, 1)).astype(np.float32)
    return x, y


def data_convnet(n=4096, size=28, classes=10, seed=0):
    """Images [n, 28, 28, 1]: uniform noise in [0, 0.5) with a bright band of three rows (+0.5) whose
    position, rows 4 + 2c to 6 + 2c, is the class c; one-hot labels [n, 10]."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    x = (0.5 * rng.random((n, size, size, 1))).astype(np.float32)
    for i, c in enumerate(labels):
        x[i, 4 + 2 * c:7 + 2 * c, :, 0] += 0.5
    return x, np.eye(classes, dtype=np.float32)[labels]


def data_transformer(n=2048, t=128, vocab=5000, seed=0):
    """Token ids [n, 128] (int32) uniform in 2..4999, with the marker token 1 written at 3 to 6
    distinct steps of one half and 0 to 2 of the other; the label [n, 1] (float32) is 1 when the
    first half (steps 0-63) holds more markers. Learnable only with the positions."""
    rng = np.random.default_rng(seed)
    half = t // 2
    x = rng.integers(2, vocab, (n, t)).astype(np.int32)
    labels = rng.integers(0, 2, n)
    for i, c in enumerate(labels):
        many, few = rng.integers(3, 7), rng.integers(0, 3)
        first, second = (many, few) if c == 1 else (few, many)
        x[i, rng.permutation(half)[:first]] = 1
        x[i, half + rng.permutation(half)[:second]] = 1
    return x, labels.astype(np.float32).reshape(-1, 1)
