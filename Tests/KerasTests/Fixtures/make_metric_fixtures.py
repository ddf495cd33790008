#!/usr/bin/env python3
"""Golden values of Keras' metrics for MetricTests.swift, written to metrics.json.

Each case makes one metric from its Keras class name and constructor arguments, feeds it
three batches with `update_state` (some with `sample_weight`) and records `result()` after
each batch, plus the metric's serialized config. It also records how `compile` resolves
metric names (`compile_utils.get_metric`, including "accuracy" by shapes), which names are
unknown, the keys `fit` logs, and a long float32 accumulation. Run by hand with the venv made
by Scripts/make-keras-venv.sh (at the repository root):

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_metric_fixtures.py
"""
import json
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras.src.trainers import compile_utils  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)


def enc(a):
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def num(value):
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return float(value)
    return [float(v) for v in value.ravel()]


def r(*shape):
    """Uniform [0, 1) rounded to 3 decimals, so the JSON stays short."""
    return np.round(rng.uniform(size=shape), 3).astype(np.float32)


def binary(*shape):
    return rng.integers(0, 2, size=shape).astype(np.float32)


def one_hot(n, c, *lead):
    idx = rng.integers(0, c, size=lead + (n,))
    return np.eye(c, dtype=np.float32)[idx], idx


def softmaxish(*shape):
    x = r(*shape) + 0.01
    return np.round(x / x.sum(-1, keepdims=True), 4).astype(np.float32)


def weights(n):
    return np.round(rng.uniform(0.0, 2.0, size=n), 2).astype(np.float32)


cases = []


def case(id, class_name, args, batches):
    """`batches`: [(y_true, y_pred, sample_weight)]; for Mean, y_true is None and y_pred the values."""
    metric = getattr(keras.metrics, class_name)(**args)
    results = []
    for y_true, y_pred, sw in batches:
        if class_name == "Mean":
            metric.update_state(y_pred, sample_weight=sw)
        else:
            metric.update_state(y_true, y_pred, sample_weight=sw)
        results.append(num(metric.result()))
    config = keras.metrics.serialize(metric)
    cases.append({
        "id": id, "class_name": class_name, "args": args,
        "batches": [{"y_true": enc(t), "y_pred": enc(p), "sample_weight": enc(w)} for t, p, w in batches],
        "results": results, "config": config,
    })


# Mean: values averaged per sample, weights [N] or shaped like the values.
case("mean", "Mean", {}, [
    (None, r(5), None), (None, r(4, 3), weights(4)), (None, r(3, 2), np.round(rng.uniform(size=(3, 2)), 2))])
case("mean_scalar_weight", "Mean", {"name": "loss"}, [
    (None, np.float32(0.731), np.float32(32)), (None, np.float32(0.52), np.float32(32)),
    (None, np.float32(0.4), np.float32(7))])

# Accuracies.
yt = binary(6, 1)
case("binary_accuracy", "BinaryAccuracy", {}, [
    (yt, r(6, 1), None), (binary(6, 1), r(6, 1), weights(6)),
    (binary(6), np.array([[0.5], [0.2], [0.9], [0.51], [0.0], [1.0]], np.float32), None)])
case("binary_accuracy_threshold", "BinaryAccuracy", {"threshold": 0.7}, [
    (binary(5, 3), r(5, 3), None), (binary(5, 3), r(5, 3), weights(5)), (binary(4, 3), r(4, 3), None)])
case("categorical_accuracy", "CategoricalAccuracy", {}, [
    (one_hot(6, 4)[0], softmaxish(6, 4), None), (one_hot(6, 4)[0], softmaxish(6, 4), weights(6)),
    (one_hot(4, 4)[0], np.array([[0.25] * 4, [0.4, 0.4, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4], [0, 0, 1, 0]], np.float32),
     None)])
case("categorical_accuracy_per_step", "CategoricalAccuracy", {}, [
    (one_hot(5, 3, 2)[0], softmaxish(2, 5, 3), None), (one_hot(5, 3, 2)[0], softmaxish(2, 5, 3), weights(2)),
    (one_hot(5, 3, 3)[0], softmaxish(3, 5, 3), None)])
case("sparse_categorical_accuracy", "SparseCategoricalAccuracy", {}, [
    (rng.integers(0, 4, 6).astype(np.float32), softmaxish(6, 4), None),
    (rng.integers(0, 4, (6, 1)).astype(np.float32), softmaxish(6, 4), weights(6)),
    (np.array([0, 1, 3, 2], np.float32), np.array([[0.25] * 4, [0.4, 0.4, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4],
                                                   [0, 0, 1, 0]], np.float32), None)])
case("sparse_categorical_accuracy_per_step", "SparseCategoricalAccuracy", {}, [
    (rng.integers(0, 3, (2, 5)).astype(np.float32), softmaxish(2, 5, 3), None),
    (rng.integers(0, 3, (2, 5)).astype(np.float32), softmaxish(2, 5, 3), weights(2)),
    (rng.integers(0, 3, (3, 5, 1)).astype(np.float32), softmaxish(3, 5, 3), None)])
case("top_k_categorical_accuracy", "TopKCategoricalAccuracy", {}, [
    (one_hot(4, 4)[0], softmaxish(4, 4), None), (one_hot(8, 7)[0], softmaxish(8, 7), weights(8)),
    (one_hot(6, 7)[0], softmaxish(6, 7), None)])
case("top_k_categorical_accuracy_k2", "TopKCategoricalAccuracy", {"k": 2}, [
    (one_hot(6, 5)[0], softmaxish(6, 5), None), (one_hot(6, 5)[0], softmaxish(6, 5), weights(6)),
    (np.eye(4, dtype=np.float32), np.array([[0.3, 0.3, 0.3, 0.1], [0.3, 0.3, 0.3, 0.1], [0.1, 0.2, 0.3, 0.4],
                                            [0.5, 0.2, 0.2, 0.1]], np.float32), None)])

# Regression errors: [N, D], [N] (one value per batch) and [N, 1] against [N].
for class_name, id in [("MeanAbsoluteError", "mean_absolute_error"), ("MeanSquaredError", "mean_squared_error"),
                       ("RootMeanSquaredError", "root_mean_squared_error"),
                       ("MeanAbsolutePercentageError", "mean_absolute_percentage_error")]:
    case(id, class_name, {}, [
        (r(5, 3) + 0.5, r(5, 3) * 2, None), (r(5, 3) + 0.5, r(5, 3) * 2, weights(5)),
        (r(4, 3) + 0.5, r(4, 3) * 2, None)])
    case(id + "_rank1", class_name, {}, [
        (r(5) + 0.5, r(5) * 2, None), (r(3) + 0.5, r(3) * 2, None), (r(4, 1) + 0.5, r(4) * 2, weights(4))])

# Precision and recall.
edges = np.array([[0.5], [0.2], [0.9], [0.51], [0.0], [1.0], [0.3], [0.8]], np.float32)
for class_name in ["Precision", "Recall"]:
    low = class_name.lower()
    case(low, class_name, {}, [
        (binary(8, 1), r(8, 1), None), (binary(8, 1), r(8, 1), weights(8)), (binary(8), edges, None)])
    case(low + "_thresholds", class_name, {"thresholds": [0.3, 0.5, 0.8]}, [
        (binary(8, 1), r(8, 1), None), (binary(8, 1), r(8, 1), weights(8)), (binary(8), edges, None)])
    case(low + "_even_thresholds", class_name, {"thresholds": [0.0, 0.5, 1.0]}, [
        (binary(8, 1), r(8, 1), None), (binary(8, 1), r(8, 1), weights(8)), (binary(8), edges, None)])
    case(low + "_top_k", class_name, {"top_k": 2}, [
        (binary(6, 4), r(6, 4), None), (binary(6, 4), r(6, 4), weights(6)), (binary(6, 4), r(6, 4), None)])
    case(low + "_class_id", class_name, {"class_id": 1, "thresholds": 0.4}, [
        (binary(6, 3), r(6, 3), None), (binary(6, 3), r(6, 3), weights(6)), (binary(6, 3), r(6, 3), None)])

# AUC: bucketed (even thresholds) and compared (given thresholds) paths, both curves, every summation.
on_edges = np.array([0.0, 1 / 6, 2 / 6, 0.5, 4 / 6, 5 / 6, 1.0, 0.25, 0.75, 0.1], np.float32).reshape(10, 1)
auc_batches = lambda: [  # noqa: E731
    (binary(20, 1), r(20, 1), None), (binary(20, 1), r(20, 1), weights(20)), (binary(10), on_edges, None)]
case("auc", "AUC", {}, auc_batches())
case("auc_pr", "AUC", {"curve": "PR"}, auc_batches())
case("auc_roc_minoring", "AUC", {"summation_method": "minoring"}, auc_batches())
case("auc_roc_majoring", "AUC", {"summation_method": "majoring"}, auc_batches())
case("auc_pr_majoring", "AUC", {"curve": "PR", "summation_method": "majoring"}, auc_batches())
case("auc_prgain", "AUC", {"curve": "PRGAIN"}, auc_batches())
case("auc_7_thresholds", "AUC", {"num_thresholds": 7}, auc_batches())
case("auc_given_thresholds", "AUC", {"thresholds": [0.2, 0.45, 0.9]}, auc_batches())
case("auc_from_logits", "AUC", {"from_logits": True}, [
    (binary(20, 1), (r(20, 1) - 0.5) * 8, None), (binary(20, 1), (r(20, 1) - 0.5) * 8, weights(20)),
    (binary(10, 1), (r(10, 1) - 0.5) * 8, None)])
case("auc_flattened_labels", "AUC", {"label_weights": [1.0, 0.5, 2.0]}, [
    (binary(8, 3), r(8, 3), None), (binary(8, 3), r(8, 3), weights(8)), (binary(8, 3), r(8, 3), None)])
case("auc_multi_label", "AUC", {"multi_label": True}, [
    (binary(8, 3), r(8, 3), None), (binary(8, 3), r(8, 3), weights(8)), (binary(8, 3), r(8, 3), None)])
case("auc_multi_label_weighted_pr", "AUC", {"multi_label": True, "num_labels": 3, "label_weights": [1.0, 0.5, 2.0],
                                            "curve": "PR"}, [
    (binary(8, 3), r(8, 3), None), (binary(8, 3), r(8, 3), weights(8)), (binary(8, 3), r(8, 3), None)])

# How compile resolves names.
resolution = []
for name, yt, yp in [
    ("accuracy", [8, 1], [8, 1]), ("accuracy", [8], [8, 1]), ("accuracy", [8, 3], [8, 1]),
    ("accuracy", [8], [8, 4]), ("accuracy", [8, 1], [8, 4]), ("accuracy", [8, 4], [8, 4]),
    ("accuracy", [8, 3], [8, 3]), ("accuracy", [8, 10, 4], [8, 10, 4]), ("accuracy", [8, 10], [8, 10, 4]),
    ("accuracy", [8, 10, 1], [8, 10, 4]), ("acc", [8, 1], [8, 1]), ("ACC", [8], [8, 4]),
    ("Accuracy", [8, 4], [8, 4]),
    ("binary_accuracy", [8, 4], [8, 4]), ("BinaryAccuracy", [8, 1], [8, 1]),
    ("categorical_accuracy", [8, 4], [8, 4]), ("CategoricalAccuracy", [8, 4], [8, 4]),
    ("sparse_categorical_accuracy", [8], [8, 4]), ("SparseCategoricalAccuracy", [8], [8, 4]),
    ("top_k_categorical_accuracy", [8, 4], [8, 4]), ("TopKCategoricalAccuracy", [8, 4], [8, 4]),
    ("mae", [8, 1], [8, 1]), ("MAE", [8, 1], [8, 1]), ("mean_absolute_error", [8, 1], [8, 1]),
    ("MeanAbsoluteError", [8, 1], [8, 1]), ("mse", [8, 1], [8, 1]), ("MSE", [8, 1], [8, 1]),
    ("mean_squared_error", [8, 1], [8, 1]), ("MeanSquaredError", [8, 1], [8, 1]),
    ("root_mean_squared_error", [8, 1], [8, 1]), ("RootMeanSquaredError", [8, 1], [8, 1]),
    ("mape", [8, 1], [8, 1]), ("MAPE", [8, 1], [8, 1]), ("mean_absolute_percentage_error", [8, 1], [8, 1]),
    ("MeanAbsolutePercentageError", [8, 1], [8, 1]),
    ("precision", [8, 1], [8, 1]), ("Precision", [8, 1], [8, 1]), ("recall", [8, 1], [8, 1]),
    ("Recall", [8, 1], [8, 1]), ("auc", [8, 1], [8, 1]), ("AUC", [8, 1], [8, 1]),
]:
    metric = compile_utils.get_metric(name, np.zeros(yt, np.float32), np.zeros(yp, np.float32))
    resolution.append({"name": name, "y_true_shape": yt, "y_pred_shape": yp,
                       "class_name": metric.__class__.__name__, "metric_name": metric.name})

unknown = []
for name in ["rmse", "f1", "accuracy_score", "Mae"]:
    try:
        compile_utils.get_metric(name, np.zeros((8, 1)), np.zeros((8, 1)))
    except ValueError as error:
        unknown.append({"name": name, "keras_error": str(error)})

# The keys fit logs: repeated names get _1, metrics before loss.
keras.utils.set_random_seed(1)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", "acc", "accuracy", "mae"])
history = model.fit(r(16, 3), binary(16, 1), epochs=1, batch_size=8, verbose=0)
log_keys = list(history.history.keys())

# A long epoch: float32 total/count drift from the exact mean, and Swift must drift alike.
long_metric = keras.metrics.Mean()
long_results = []
for b in range(3000):
    values = np.array([((b * 31 + j * 17) % 101) / 101 * 3.3 for j in range(32)], dtype=np.float32)
    long_metric.update_state(values)
    if (b + 1) % 1000 == 0:
        long_results.append({"batches": b + 1, "result": num(long_metric.result()),
                             "total": num(long_metric.total), "count": num(long_metric.count)})

with open(os.path.join(HERE, "metrics.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": cases, "resolution": resolution, "unknown": unknown,
               "fit_log_keys": log_keys, "long_mean": long_results}, f, separators=(",", ":"))
print(f"{len(cases)} cases, {len(resolution)} names, log keys {log_keys}")
