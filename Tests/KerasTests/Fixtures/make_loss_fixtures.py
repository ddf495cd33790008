#!/usr/bin/env python3
"""Golden values for the losses, computed with real Keras (TF backend), into losses.json.

Every case names a Keras loss class, the constructor arguments used (`args`), labels,
predictions (or the logits of a sigmoid/softmax model output), optional sample weights, the
reduced loss and the gradient of the reduced loss with respect to the predictions (or to the
logits) taken with tf.GradientTape. `configs` holds Keras' serialized config
(`keras.losses.serialize`) once for each class and arguments used. Inputs are seeded and
rounded to two decimals; results are float32 values written in their shortest form.

Logits cases run the logits through a tiny `keras.Model` ending in `Activation("sigmoid")`
or `Activation("softmax")`, so the output carries `_keras_logits` and TensorFlow computes the
cross-entropy from the logits; the gradient is then with respect to those logits. The
`..._probabilities` twins of the saturated cases (logits of ±20) give the same outputs as
plain tensors, so Keras clips them instead, and the two values differ.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_loss_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.losses


def decimals(shape, seed, low=-1.0, high=1.0, places=2):
    """Seeded uniform values rounded to `places` decimals: exact to write, equal as float32 in Swift."""
    return np.round(np.random.default_rng(seed).uniform(low, high, size=shape), places)


def one_hot(labels, classes):
    return np.eye(classes)[np.asarray(labels)]


def tensor(values):
    a = np.asarray(values, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def result_tensor(values):
    a = np.asarray(values, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(str(v)) for v in a.ravel()]}


cases = []
configs = {}  # one serialized config per distinct (class, args)


def case(name, loss, y_true, y_pred=None, args=None, sample_weight=None, logits=None, activation=None):
    """Computes `loss` with Keras and records it. With `logits`, y_pred is `activation(logits)` out of a model."""
    y_true = np.asarray(y_true, dtype=np.float64)
    yt = tf.constant(y_true, dtype=tf.float32)
    sw = None if sample_weight is None else tf.constant(np.asarray(sample_weight), dtype=tf.float32)
    if logits is not None:
        logits = np.asarray(logits, dtype=np.float64)
        inputs = keras.Input(logits.shape[1:])
        model = keras.Model(inputs, keras.layers.Activation(activation)(inputs))
        watched = tf.constant(logits, dtype=tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(watched)
            output = model(watched)
            assert hasattr(output, "_keras_logits")
            value = loss(yt, output, sample_weight=sw)
    else:
        watched = tf.constant(np.asarray(y_pred), dtype=tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(watched)
            value = loss(yt, watched, sample_weight=sw)
    gradient = tape.gradient(value, watched)
    assert gradient is not None, name
    entry = {
        "name": name,
        "class_name": loss.__class__.__name__,
        "args": args or {},
        "y_true": tensor(y_true),
    }
    if logits is not None:
        entry["logits"] = {"activation": activation, "values": tensor(logits)}
    else:
        entry["y_pred"] = tensor(y_pred)
    if sample_weight is not None:
        entry["sample_weight"] = tensor(sample_weight)
    config_key = json.dumps([entry["class_name"], entry["args"]], sort_keys=True)
    configs.setdefault(config_key, {"class_name": entry["class_name"], "args": entry["args"],
                                    "serialized": L.serialize(loss)})
    entry["value"] = float(str(np.float32(value.numpy())))
    entry["gradient"] = result_tensor(gradient.numpy())
    cases.append(entry)
    return entry["value"]


# --- Regression losses: [N, D], sample weights, rank 3 per-step, labels [N] vs predictions [N, 1].
y2 = decimals((4, 3), 1, -2, 2)
p2 = decimals((4, 3), 2, -2, 2)
w4 = [1.0, 0.5, 0.0, 2.0]
y3 = decimals((2, 3, 2), 3, -2, 2)
p3 = decimals((2, 3, 2), 4, -2, 2)
y1 = decimals((4,), 5, -2, 2)
p1 = decimals((4, 1), 6, -2, 2)
positive_y2 = decimals((4, 3), 7, 0.1, 3)
positive_p2 = decimals((4, 3), 8, 0.1, 3)

regression = [
    ("mean_squared_error", L.MeanSquaredError, {}),
    ("mean_absolute_error", L.MeanAbsoluteError, {}),
    ("huber", L.Huber, {}),
    ("huber_delta_0_5", L.Huber, {"delta": 0.5}),
    ("log_cosh", L.LogCosh, {}),
]
for name, cls, args in regression:
    case(f"{name}", cls(**args), y2, p2, args)
    case(f"{name}_per_step", cls(**args), y3, p3, args)
case("mean_squared_error_sample_weight", L.MeanSquaredError(), y2, p2, sample_weight=w4)
case("huber_sample_weight", L.Huber(), y2, p2, sample_weight=w4)
case("mean_squared_error_labels_n_predictions_n1", L.MeanSquaredError(), y1, p1)
case("mean_absolute_error_labels_n1_predictions_n", L.MeanAbsoluteError(), p1, y1)

mape_true = y2.copy()
mape_true[0, 1] = 0.0  # divided by max(|y|, epsilon)
case("mean_absolute_percentage_error", L.MeanAbsolutePercentageError(), positive_y2, p2)
case("mean_absolute_percentage_error_zero_label", L.MeanAbsolutePercentageError(), mape_true, p2)
case("mean_absolute_percentage_error_sample_weight", L.MeanAbsolutePercentageError(), y2, p2, sample_weight=w4)
case("mean_squared_logarithmic_error", L.MeanSquaredLogarithmicError(), positive_y2, positive_p2)
case("mean_squared_logarithmic_error_negative", L.MeanSquaredLogarithmicError(), y2, p2)  # max(y, epsilon)
case("mean_squared_logarithmic_error_per_step", L.MeanSquaredLogarithmicError(), np.abs(y3), np.abs(p3))
case("poisson", L.Poisson(), positive_y2, positive_p2)
case("poisson_labels_n_predictions_n1", L.Poisson(), np.abs(y1), np.abs(p1))

probabilities = decimals((4, 3), 9, 0.05, 1)
probabilities /= probabilities.sum(-1, keepdims=True)
probabilities = np.round(probabilities, 3)
targets = np.round(decimals((4, 3), 10, 0, 1), 2)
targets[1] = [0.0, 1.0, 0.0]  # clipped to epsilon
case("kl_divergence", L.KLDivergence(), targets, probabilities)
case("kl_divergence_out_of_range", L.KLDivergence(), targets, probabilities * 1.5 - 0.2)

binary_labels = (decimals((4, 3), 11, 0, 1) > 0.5).astype(float)
signed_labels = binary_labels * 2 - 1
mixed_labels = binary_labels.copy()
mixed_labels[2, 1] = 0.5  # not all 0/1: labels are used as they are
for name, cls in [("hinge", L.Hinge), ("squared_hinge", L.SquaredHinge)]:
    case(f"{name}_binary_labels", cls(), binary_labels, p2)
    case(f"{name}_signed_labels", cls(), signed_labels, p2)
    case(f"{name}_mixed_labels", cls(), mixed_labels, p2)

case("squared_hinge_sample_weight", L.SquaredHinge(), binary_labels, p2, sample_weight=w4)
case("cosine_similarity", L.CosineSimilarity(), y2, p2)
case("cosine_similarity_axis_1_per_step", L.CosineSimilarity(axis=1), y3, p3, {"axis": 1})

# --- Binary crossentropy.
bce_pred = decimals((4, 3), 12, 0.02, 0.98)
bce_pred[0, 0] = 0.0  # clipped to epsilon
bce_pred[3, 2] = 1.0  # clipped to 1 - epsilon
bce_logits = decimals((4, 3), 13, -4, 4)
case("binary_crossentropy", L.BinaryCrossentropy(), binary_labels, bce_pred)
case("binary_crossentropy_sample_weight", L.BinaryCrossentropy(), binary_labels, bce_pred, sample_weight=w4)
case("binary_crossentropy_label_smoothing", L.BinaryCrossentropy(label_smoothing=0.2), binary_labels, bce_pred,
     {"label_smoothing": 0.2})
case("binary_crossentropy_from_logits", L.BinaryCrossentropy(from_logits=True), binary_labels, bce_logits,
     {"from_logits": True})
case("binary_crossentropy_from_logits_label_smoothing",
     L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), binary_labels, bce_logits,
     {"from_logits": True, "label_smoothing": 0.1})
case("binary_crossentropy_axis_0", L.BinaryCrossentropy(axis=0), binary_labels, bce_pred, {"axis": 0})
case("binary_crossentropy_labels_n_predictions_n1", L.BinaryCrossentropy(), binary_labels[:, 0],
     bce_pred[:, :1])
case("binary_crossentropy_per_step", L.BinaryCrossentropy(), binary_labels[:2].reshape(2, 3, 1),
     bce_pred[:2].reshape(2, 3, 1))
case("binary_crossentropy_sigmoid_output", L.BinaryCrossentropy(), binary_labels, logits=bce_logits,
     activation="sigmoid")
case("binary_crossentropy_sigmoid_output_from_logits", L.BinaryCrossentropy(from_logits=True), binary_labels,
     logits=bce_logits, activation="sigmoid", args={"from_logits": True})
saturated = np.array([[20.0, -20.0, 3.0], [-20.0, 20.0, -1.5]])
saturated_labels = np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
with_logits = case("binary_crossentropy_sigmoid_output_saturated", L.BinaryCrossentropy(), saturated_labels,
                   logits=saturated, activation="sigmoid")
clipped = case("binary_crossentropy_sigmoid_output_saturated_probabilities", L.BinaryCrossentropy(),
               saturated_labels, tf.sigmoid(tf.constant(saturated, dtype=tf.float32)).numpy())
assert abs(with_logits - clipped) > 1, (with_logits, clipped)
case("binary_crossentropy_sigmoid_output_labels_n", L.BinaryCrossentropy(), saturated_labels[:, 0],
     logits=saturated[:, :1], activation="sigmoid")
# Labels [N, T] with a [N, T, 1] sigmoid output: Keras squeezes the output, which drops its
# logits, so it clips the probabilities.
per_step = case("binary_crossentropy_sigmoid_output_per_step_squeezed", L.BinaryCrossentropy(), saturated_labels,
                logits=saturated[..., None], activation="sigmoid")
assert abs(per_step - clipped) < 1e-6, (per_step, clipped)

# --- Categorical crossentropy.
labels_3 = [0, 2, 1, 2]
cce_true = one_hot(labels_3, 3)
unnormalized = decimals((4, 3), 14, 0.05, 0.9)  # renormalised over the last axis by Keras
unnormalized[1, 0] = 0.0
cce_logits = decimals((4, 3), 15, -3, 3)
case("categorical_crossentropy", L.CategoricalCrossentropy(), cce_true, probabilities)
case("categorical_crossentropy_unnormalized", L.CategoricalCrossentropy(), cce_true, unnormalized)
case("categorical_crossentropy_sample_weight", L.CategoricalCrossentropy(), cce_true, unnormalized,
     sample_weight=w4)
case("categorical_crossentropy_label_smoothing", L.CategoricalCrossentropy(label_smoothing=0.1), cce_true,
     probabilities, {"label_smoothing": 0.1})
case("categorical_crossentropy_from_logits", L.CategoricalCrossentropy(from_logits=True), cce_true, cce_logits,
     {"from_logits": True})
case("categorical_crossentropy_from_logits_label_smoothing",
     L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.3), cce_true, cce_logits,
     {"from_logits": True, "label_smoothing": 0.3})
case("categorical_crossentropy_per_step", L.CategoricalCrossentropy(), one_hot([[0, 1, 2], [2, 2, 0]], 3),
     decimals((2, 3, 3), 16, 0.05, 1))
case("categorical_crossentropy_axis_0", L.CategoricalCrossentropy(axis=0, from_logits=True), cce_true, cce_logits,
     {"axis": 0, "from_logits": True})
case("categorical_crossentropy_softmax_output", L.CategoricalCrossentropy(), cce_true, logits=cce_logits,
     activation="softmax")
case("categorical_crossentropy_softmax_output_label_smoothing", L.CategoricalCrossentropy(label_smoothing=0.1),
     cce_true, logits=cce_logits, activation="softmax", args={"label_smoothing": 0.1})
softmax_saturated = np.array([[20.0, -20.0, 0.5], [-20.0, 20.0, 1.0]])
softmax_labels = one_hot([1, 0], 3)
with_logits = case("categorical_crossentropy_softmax_output_saturated", L.CategoricalCrossentropy(),
                   softmax_labels, logits=softmax_saturated, activation="softmax")
clipped = case("categorical_crossentropy_softmax_output_saturated_probabilities", L.CategoricalCrossentropy(),
               softmax_labels, tf.nn.softmax(tf.constant(softmax_saturated, dtype=tf.float32)).numpy())
assert abs(with_logits - clipped) > 1, (with_logits, clipped)

# --- Sparse categorical crossentropy.
case("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy(), labels_3, probabilities)
case("sparse_categorical_crossentropy_labels_n1", L.SparseCategoricalCrossentropy(),
     np.array(labels_3)[:, None], unnormalized)
case("sparse_categorical_crossentropy_sample_weight", L.SparseCategoricalCrossentropy(), labels_3, probabilities,
     sample_weight=w4)
case("sparse_categorical_crossentropy_from_logits", L.SparseCategoricalCrossentropy(from_logits=True), labels_3,
     cce_logits, {"from_logits": True})
case("sparse_categorical_crossentropy_per_step", L.SparseCategoricalCrossentropy(), [[0, 1, 2], [2, 2, 0]],
     decimals((2, 3, 3), 16, 0.05, 1))
case("sparse_categorical_crossentropy_per_step_sample_weight", L.SparseCategoricalCrossentropy(from_logits=True),
     [[0, 1, 2], [2, 2, 0]], decimals((2, 3, 3), 17, -3, 3), {"from_logits": True},
     sample_weight=[[1.0, 0.5, 0.0], [2.0, 1.0, 1.0]])
case("sparse_categorical_crossentropy_ignore_class", L.SparseCategoricalCrossentropy(ignore_class=-1),
     [0, -1, 1, 2], probabilities, {"ignore_class": -1})
case("sparse_categorical_crossentropy_ignore_class_sample_weight",
     L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2), labels_3, cce_logits,
     {"from_logits": True, "ignore_class": 2}, sample_weight=w4)
case("sparse_categorical_crossentropy_softmax_output", L.SparseCategoricalCrossentropy(), labels_3,
     logits=cce_logits, activation="softmax")
with_logits = case("sparse_categorical_crossentropy_softmax_output_saturated", L.SparseCategoricalCrossentropy(),
                   [1, 0], logits=softmax_saturated, activation="softmax")
clipped = case("sparse_categorical_crossentropy_softmax_output_saturated_probabilities",
               L.SparseCategoricalCrossentropy(), [1, 0],
               tf.nn.softmax(tf.constant(softmax_saturated, dtype=tf.float32)).numpy())
assert abs(with_logits - clipped) > 1, (with_logits, clipped)
# With ignore_class Keras replaces the output by `where(valid, y_pred, 0)`, which drops its
# logits, so it clips the probabilities.
ignored = case("sparse_categorical_crossentropy_softmax_output_ignore_class",
               L.SparseCategoricalCrossentropy(ignore_class=2), [1, 0, 2],
               logits=np.concatenate([softmax_saturated, [[1.0, 2.0, 3.0]]]), activation="softmax",
               args={"ignore_class": 2})
assert abs(ignored - clipped) < 1e-5, (ignored, clipped)

with open(os.path.join(HERE, "losses.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "configs": list(configs.values()), "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases,", os.path.getsize(os.path.join(HERE, "losses.json")), "bytes")
