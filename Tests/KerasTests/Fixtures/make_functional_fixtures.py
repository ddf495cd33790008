"""Golden values for Functional models, made by real Keras 3 (and tf.keras 2 for its .h5 layout).

Writes into functional/: for each model a `.keras` file (and `.h5` files), its inputs and Keras'
predictions (JSON), its summary at 88 and 76 columns, and for the two-output model a 3-epoch
training history with per-output losses, loss weights and metrics from fixed initial weights.

Run by hand with the venv of Scripts/make-keras-venv.sh (Keras 3.15, tf_keras 2.21):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_functional_fixtures.py
"""
import io
import json
import os
import contextlib

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional")
os.makedirs(OUT, exist_ok=True)


def summary(model, columns):
    os.environ["COLUMNS"] = str(columns)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        model.summary()
    return buffer.getvalue()


def record(name, model, inputs):
    keras.utils.set_random_seed(0)
    predictions = model.predict(inputs, verbose=0)
    if not isinstance(predictions, list):
        predictions = [predictions]
    model.save(os.path.join(OUT, f"{name}.keras"))
    model.save(os.path.join(OUT, f"{name}.h5"))
    model.save_weights(os.path.join(OUT, f"{name}.weights.h5"))
    data = {
        "inputs": [{"shape": list(x.shape), "values": x.ravel().tolist()} for x in inputs],
        "outputs": [{"shape": list(p.shape), "values": p.ravel().tolist()} for p in predictions],
        "layers": [layer.name for layer in model.layers],
        "summary88": summary(model, 92),
        "summary76": summary(model, 80),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(data, f)


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


def seq2seq():
    keras.utils.set_random_seed(2)
    encoder_inputs = keras.Input(shape=(6, 3), name="encoder_inputs")
    decoder_inputs = keras.Input(shape=(4, 2), name="decoder_inputs")
    _, h, c = layers.LSTM(5, return_state=True, name="encoder")(encoder_inputs)
    decoded = layers.LSTM(5, return_sequences=True, name="decoder")(decoder_inputs, initial_state=[h, c])
    outputs = layers.Dense(2, activation="softmax", name="next")(decoded)
    return keras.Model([encoder_inputs, decoder_inputs], outputs, name="seq2seq")


def merges():
    keras.utils.set_random_seed(3)
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    sa, sb = shared(a), shared(b)
    inner = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(4, name="inner_dense")], name="inner")
    residual = layers.Add(name="add")([sa, inner(sb)])
    parts = [
        residual,
        layers.Subtract(name="subtract")([sa, sb]),
        layers.Multiply(name="multiply")([sa, sb]),
        layers.Average(name="average")([sa, sb, residual]),
        layers.Maximum(name="maximum")([sa, sb]),
        layers.Minimum(name="minimum")([sa, sb]),
    ]
    joined = layers.Concatenate(axis=1, name="concatenate")(parts)
    cosine = layers.Dot(axes=1, normalize=True, name="cosine")([sa, sb])
    dot = layers.Dot(axes=1, name="dot")([a, b])
    out = layers.Dense(2, name="head")(joined)
    return keras.Model([a, b], [out, cosine, dot], name="merges")


def main():
    rng = np.random.default_rng(0)
    model = two_branch()
    record("two_branch", model, [rng.normal(size=(4, 5, 3)).astype("float32"), rng.normal(size=(4, 4)).astype("float32")])
    record("seq2seq", seq2seq(), [rng.normal(size=(3, 6, 3)).astype("float32"), rng.normal(size=(3, 4, 2)).astype("float32")])
    record("merges", merges(), [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(3, 4)).astype("float32")])

    # Training: per-output losses by name, loss weights, per-output metrics, fixed initial weights.
    model = two_branch()
    model.save_weights(os.path.join(OUT, "two_branch_initial.weights.h5"))
    x_seq = rng.normal(size=(24, 5, 3)).astype("float32")
    x_meta = rng.normal(size=(24, 4)).astype("float32")
    y_out = (x_seq.sum(axis=(1, 2)) > 0).astype("float32").reshape(24, 1)
    y_aux = (np.abs(x_meta[:, 0] * 2).astype("int64") % 3).astype("float32").reshape(24, 1)
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss={"out": "binary_crossentropy", "aux": "sparse_categorical_crossentropy"},
        loss_weights={"out": 1.0, "aux": 0.5},
        metrics={"out": ["accuracy"], "aux": ["accuracy"]},
    )
    history = model.fit(
        {"seq": x_seq, "meta": x_meta}, {"out": y_out, "aux": y_aux}, batch_size=8, epochs=3, shuffle=False,
        validation_split=0.25, verbose=0)
    evaluation = model.evaluate([x_seq, x_meta], [y_out, y_aux], batch_size=8, verbose=0, return_dict=True)
    with open(os.path.join(OUT, "two_branch_training.json"), "w") as f:
        json.dump({
            "x_seq": x_seq.ravel().tolist(), "x_meta": x_meta.ravel().tolist(),
            "y_out": y_out.ravel().tolist(), "y_aux": y_aux.ravel().tolist(),
            "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
            "evaluate": {k: float(v) for k, v in evaluation.items()},
            "metrics_names": list(model.metrics_names),
        }, f)

    # tf.keras 2's .h5 layout of the two-branch model (node lists instead of args/kwargs).
    import tf_keras
    tf_keras.utils.set_random_seed(1)
    seq = tf_keras.Input(shape=(5, 3), name="seq")
    meta = tf_keras.Input(shape=(4,), name="meta")
    encoded = tf_keras.layers.LSTM(6, name="lstm")(seq)
    dense = tf_keras.layers.Dense(6, activation="relu", name="dense")(meta)
    joined = tf_keras.layers.Concatenate(name="concatenate")([encoded, dense])
    out = tf_keras.layers.Dense(1, activation="sigmoid", name="out")(joined)
    aux = tf_keras.layers.Dense(3, activation="softmax", name="aux")(dense)
    legacy = tf_keras.Model([seq, meta], [out, aux], name="two_branch_tf")
    inputs = [rng.normal(size=(4, 5, 3)).astype("float32"), rng.normal(size=(4, 4)).astype("float32")]
    predictions = legacy.predict(inputs, verbose=0)
    legacy.save(os.path.join(OUT, "two_branch_tf_keras.h5"))
    with open(os.path.join(OUT, "two_branch_tf_keras.json"), "w") as f:
        json.dump({
            "inputs": [{"shape": list(x.shape), "values": x.ravel().tolist()} for x in inputs],
            "outputs": [{"shape": list(p.shape), "values": p.ravel().tolist()} for p in predictions],
        }, f)


if __name__ == "__main__":
    main()
