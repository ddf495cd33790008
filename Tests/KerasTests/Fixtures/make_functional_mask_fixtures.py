"""Golden values for masks in Functional graphs, gradients of Functional models, and a Functional
model nested in a Functional model, made by real Keras 3.

Writes into functional/:
- mask_stacked, mask_concat, mask_add (.keras, .h5, .weights.h5, .json): Embedding(mask_zero=True)
  models whose padded ids (zeros at the end, the start, the middle, a whole row) reach LSTMs through
  LSTM(return_sequences), Concatenate on the feature axis and on the time axis, Add and Dense.
- concat_masks.json: Keras' `Concatenate.compute_mask` on concrete masks (axis -1 and 1, one input
  without a mask).
- gradients_*.json: with tf.GradientTape, the gradient of sum_k sum(output_k * R_k) (R_k fixed
  random) w.r.t. every trainable weight (model.trainable_weights order) and every float input.
- nested_functional (.keras, .h5, .json): a Functional block called twice (shared) inside a
  Functional model, beside a Sequential.

Run by hand with the venv of Scripts/make-keras-venv.sh (Keras 3.15):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_functional_mask_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import tensorflow as tf
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional")
os.makedirs(OUT, exist_ok=True)


def array(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "values": x.astype("float64").ravel().tolist()}


def record(name, model, inputs, weights_file=True):
    predictions = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    if not isinstance(predictions, list):
        predictions = [predictions]
    model.save(os.path.join(OUT, f"{name}.keras"))
    model.save(os.path.join(OUT, f"{name}.h5"))
    if weights_file:
        model.save_weights(os.path.join(OUT, f"{name}.weights.h5"))
    data = {
        "inputs": [array(x) for x in inputs],
        "outputs": [array(p) for p in predictions],
        "layers": [layer.name for layer in model.layers],
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(data, f)


def record_gradients(name, model, inputs, rng):
    """The gradient of sum_k sum(output_k * R_k) w.r.t. the trainable weights and float inputs."""
    tensors = [tf.constant(x) for x in inputs]
    call_inputs = tensors if len(tensors) > 1 else tensors[0]
    float_inputs = [t for t in tensors if t.dtype.is_floating]
    outputs = model(call_inputs, training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    factors = [rng.normal(size=tuple(o.shape)).astype("float32") for o in outputs]
    with tf.GradientTape() as tape:
        for t in float_inputs:
            tape.watch(t)
        outputs = model(call_inputs, training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        loss = tf.add_n([tf.reduce_sum(o * r) for o, r in zip(outputs, factors)])
    weights = model.trainable_weights
    grads = tape.gradient(loss, [w.value for w in weights] + float_inputs)
    data = {
        "inputs": [array(x) for x in inputs],
        "factors": [array(r) for r in factors],
        "loss": float(loss.numpy()),
        "weight_names": [w.path for w in weights],
        "weight_gradients": [array(tf.convert_to_tensor(g).numpy()) for g in grads[: len(weights)]],
        "input_gradients": [array(g.numpy()) for g in grads[len(weights):]],
    }
    with open(os.path.join(OUT, f"gradients_{name}.json"), "w") as f:
        json.dump(data, f)


def spread_embeddings(model, rng):
    """Embedding rows of unit scale (Keras' default init is within 0.05), so outputs are not tiny."""
    for layer in model.layers:
        if isinstance(layer, layers.Embedding):
            layer.set_weights([rng.normal(size=tuple(layer.embeddings.shape)).astype("float32")])
    return model


def padded_ids(rows):
    return np.array(rows, dtype="int32")


def mask_stacked():
    keras.utils.set_random_seed(11)
    ids = keras.Input(shape=(7,), dtype="int32", name="ids")
    embedded = layers.Embedding(10, 4, mask_zero=True, name="embedding")(ids)
    sequence = layers.LSTM(5, return_sequences=True, name="lstm_seq")(embedded)
    last = layers.LSTM(3, name="lstm_last")(sequence)
    return keras.Model(ids, [sequence, last], name="mask_stacked")


def mask_concat():
    keras.utils.set_random_seed(12)
    a = keras.Input(shape=(6,), dtype="int32", name="a")
    b = keras.Input(shape=(6,), dtype="int32", name="b")
    ea = layers.Embedding(10, 3, mask_zero=True, name="embed_a")(a)
    eb = layers.Embedding(10, 4, mask_zero=True, name="embed_b")(b)
    ea4 = layers.Embedding(10, 4, mask_zero=True, name="embed_a4")(a)
    features = layers.Concatenate(axis=-1, name="concat_features")([ea, eb])
    by_feature = layers.LSTM(4, name="lstm_features")(features)
    steps = layers.Concatenate(axis=1, name="concat_steps")([ea4, eb])
    by_time = layers.LSTM(3, name="lstm_steps")(steps)
    return keras.Model([a, b], [by_feature, by_time], name="mask_concat")


def mask_add():
    keras.utils.set_random_seed(13)
    a = keras.Input(shape=(6,), dtype="int32", name="a")
    b = keras.Input(shape=(6,), dtype="int32", name="b")
    ea = layers.Embedding(10, 4, mask_zero=True, name="embed_a")(a)
    eb = layers.Embedding(10, 4, mask_zero=True, name="embed_b")(b)
    summed = layers.Add(name="add")([ea, eb])
    direct = layers.LSTM(3, name="lstm_add")(summed)
    dense = layers.Dense(4, activation="tanh", name="dense")(summed)
    through_dense = layers.LSTM(3, name="lstm_dense")(dense)
    return keras.Model([a, b], [direct, through_dense], name="mask_add")


def mask_merges():
    """Multiply, Maximum and Minimum of masked sequences: Keras 3 keeps a masked step's values out."""
    keras.utils.set_random_seed(17)
    a = keras.Input(shape=(6,), dtype="int32", name="a")
    b = keras.Input(shape=(6,), dtype="int32", name="b")
    ea = layers.Embedding(10, 4, mask_zero=True, name="embed_a")(a)
    eb = layers.Embedding(10, 4, mask_zero=True, name="embed_b")(b)
    product = layers.Multiply(name="multiply")([ea, eb])
    largest = layers.Maximum(name="maximum")([ea, eb])
    smallest = layers.Minimum(name="minimum")([ea, eb])
    outputs = [
        product, largest, smallest,
        layers.LSTM(3, name="lstm_multiply")(product),
        layers.LSTM(3, name="lstm_maximum")(largest),
        layers.LSTM(3, name="lstm_minimum")(smallest),
    ]
    return keras.Model([a, b], outputs, name="mask_merges")


def shared_residual():
    keras.utils.set_random_seed(14)
    seq = keras.Input(shape=(5, 3), name="seq")
    meta = keras.Input(shape=(4,), name="meta")
    encoded = layers.LSTM(4, name="lstm")(seq)
    shared = layers.Dense(4, activation="tanh", name="shared")
    s1, s2 = shared(encoded), shared(meta)
    residual = layers.Add(name="residual")([s1, layers.Dense(4, name="inner")(s1)])
    joined = layers.Concatenate(name="concatenate")([residual, s2])
    out = layers.Dense(2, activation="softmax", name="out")(joined)
    aux = layers.Dense(1, name="aux")(s2)
    return keras.Model([seq, meta], [out, aux], name="shared_residual")


def two_branch():
    keras.utils.set_random_seed(1)
    seq = keras.Input(shape=(5, 3), name="seq")
    meta = keras.Input(shape=(4,), name="meta")
    encoded = layers.LSTM(6, name="lstm")(seq)
    dense = layers.Dense(6, activation="relu", name="dense")(meta)
    joined = layers.Concatenate(name="concatenate")([encoded, dense])
    out = layers.Dense(1, activation="sigmoid", name="out")(joined)
    aux = layers.Dense(3, activation="softmax", name="aux")(dense)
    return keras.Model([seq, meta], [out, aux], name="two_branch")


def nested_functional():
    keras.utils.set_random_seed(15)
    x = keras.Input(shape=(4,), name="block_in")
    h = layers.Dense(4, activation="tanh", name="block_dense")(x)
    block = keras.Model(x, layers.Add(name="block_add")([x, h]), name="block")
    head = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="relu", name="head_dense")],
                            name="head")
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    joined = layers.Concatenate(name="concatenate")([block(a), block(b)])
    out = layers.Dense(2, name="out")(head(joined))
    return keras.Model([a, b], out, name="nested_functional")


def concat_masks(rng):
    cases = []
    x1 = rng.normal(size=(2, 3, 2)).astype("float32")
    x2 = rng.normal(size=(2, 3, 4)).astype("float32")
    x3 = rng.normal(size=(2, 2, 2)).astype("float32")
    m1 = np.array([[1, 0, 0], [0, 1, 0]], dtype=bool)
    m2 = np.array([[0, 0, 1], [0, 1, 0]], dtype=bool)
    m3 = np.array([[0, 1], [1, 0]], dtype=bool)
    for axis, inputs, masks in [
        (-1, [x1, x2], [m1, m2]),
        (-1, [x1, x2], [m1, None]),
        (1, [x1, x3], [m1, m3]),
        (1, [x1, x3], [None, m3]),
    ]:
        layer = layers.Concatenate(axis=axis)
        mask = layer.compute_mask([tf.constant(x) for x in inputs], [None if m is None else tf.constant(m) for m in masks])
        cases.append({
            "axis": axis,
            "inputs": [array(x) for x in inputs],
            "masks": [None if m is None else array(m) for m in masks],
            "mask": array(np.asarray(mask)),
        })
    with open(os.path.join(OUT, "concat_masks.json"), "w") as f:
        json.dump(cases, f)


def main():
    rng = np.random.default_rng(16)
    stacked_ids = padded_ids([
        [3, 5, 2, 7, 0, 0, 0],  # padded at the end
        [0, 0, 4, 1, 8, 2, 6],  # padded at the start
        [5, 0, 3, 0, 0, 9, 1],  # zeros in the middle
        [2, 4, 6, 8, 1, 3, 5],  # none
        [0, 0, 0, 0, 0, 0, 0],  # all padding
    ])
    model = spread_embeddings(mask_stacked(), rng)
    record("mask_stacked", model, [stacked_ids], weights_file=False)
    record_gradients("mask_stacked", model, [stacked_ids], rng)

    a = padded_ids([[1, 2, 3, 0, 0, 0], [0, 0, 4, 5, 6, 7], [8, 0, 9, 0, 1, 0], [2, 3, 4, 5, 6, 7]])
    b = padded_ids([[4, 5, 0, 0, 0, 0], [0, 1, 2, 3, 0, 0], [0, 6, 0, 7, 0, 8], [0, 0, 0, 0, 0, 9]])
    model = spread_embeddings(mask_concat(), rng)
    record("mask_concat", model, [a, b])
    record_gradients("mask_concat", model, [a, b], rng)
    model = spread_embeddings(mask_add(), rng)
    record("mask_add", model, [a, b], weights_file=False)
    record_gradients("mask_add", model, [a, b], rng)

    model = spread_embeddings(mask_merges(), rng)
    record("mask_merges", model, [a, b], weights_file=False)

    concat_masks(rng)

    seq = rng.normal(size=(3, 5, 3)).astype("float32")
    meta = rng.normal(size=(3, 4)).astype("float32")
    model = shared_residual()
    model.save_weights(os.path.join(OUT, "shared_residual.weights.h5"))
    record_gradients("shared_residual", model, [seq, meta], rng)
    model = two_branch()
    model.load_weights(os.path.join(OUT, "two_branch.weights.h5"))
    record_gradients("two_branch", model, [seq, meta], rng)

    model = nested_functional()
    record("nested_functional", model, [rng.normal(size=(3, 4)).astype("float32"),
                                        rng.normal(size=(3, 4)).astype("float32")], weights_file=False)


if __name__ == "__main__":
    main()
