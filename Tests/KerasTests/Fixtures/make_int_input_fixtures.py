"""Golden values for models whose input is integer token ids, made by real Keras 3 and tf.keras 2.

Writes into functional/: `Input(shape=(6,), dtype="int32") -> Embedding(20, 4) ->
GlobalAveragePooling1D -> Dense(1, sigmoid)` as a Functional model (`int_embedding.keras`,
`int_embedding.h5`, `int_embedding_tf_keras.h5`) and as a Sequential one
(`int_embedding_sequential.keras`, `int_embedding_sequential.h5`,
`int_embedding_sequential_tf_keras.h5`), the ids as an int64 `.npy` (`int_embedding_ids.npy`),
and `int_embedding.json` with the ids, each file's
predictions, and a 2-epoch SGD training run of the Functional `.keras` model (losses per epoch
and the predictions after it).

Run by hand with the venv of Scripts/make-keras-venv.sh (Keras 3.15, tf_keras 2.21):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_int_input_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional")
os.makedirs(OUT, exist_ok=True)


def enc(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "values": a.ravel().tolist()}


def functional(api, seed):
    api.utils.set_random_seed(seed)
    ids = api.Input(shape=(6,), dtype="int32", name="ids")
    x = api.layers.Embedding(20, 4, name="embedding")(ids)
    x = api.layers.GlobalAveragePooling1D(name="pooling")(x)
    out = api.layers.Dense(1, activation="sigmoid", name="score")(x)
    return api.Model(ids, out, name="int_embedding")


def sequential(api, seed):
    api.utils.set_random_seed(seed)
    return api.Sequential([
        api.Input(shape=(6,), dtype="int32", name="ids"),
        api.layers.Embedding(20, 4, name="embedding"),
        api.layers.GlobalAveragePooling1D(name="pooling"),
        api.layers.Dense(1, activation="sigmoid", name="score"),
    ], name="int_embedding_sequential")


def main():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 20, size=(5, 6)).astype("int32")
    np.save(os.path.join(OUT, "int_embedding_ids.npy"), ids.astype("int64"))  # as NumPy's default integer type
    predictions = {}

    for name, model in [("int_embedding", functional(keras, 1)), ("int_embedding_sequential", sequential(keras, 2))]:
        predictions[f"{name}.keras"] = enc(model.predict(ids, verbose=0))
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save(os.path.join(OUT, f"{name}.h5"))
        predictions[f"{name}.h5"] = predictions[f"{name}.keras"]

    import tf_keras
    for name, model in [("int_embedding_tf_keras", functional(tf_keras, 3)),
                        ("int_embedding_sequential_tf_keras", sequential(tf_keras, 4))]:
        predictions[f"{name}.h5"] = enc(model.predict(ids, verbose=0))
        model.save(os.path.join(OUT, f"{name}.h5"))

    # Training from the saved Functional model: ids in, labels from a fixed rule, plain SGD, no shuffling.
    train_ids = rng.integers(0, 20, size=(12, 6)).astype("int32")
    labels = (train_ids.sum(axis=1) > 57).astype("float32").reshape(12, 1)
    model = keras.models.load_model(os.path.join(OUT, "int_embedding.keras"))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    history = model.fit(train_ids, labels, batch_size=4, epochs=2, shuffle=False, verbose=0)
    training = {
        "ids": enc(train_ids),
        "labels": enc(labels),
        "loss": [float(v) for v in history.history["loss"]],
        "predictions": enc(model.predict(ids, verbose=0)),
    }

    with open(os.path.join(OUT, "int_embedding.json"), "w") as f:
        json.dump({"ids": enc(ids), "predictions": predictions, "training": training}, f)


if __name__ == "__main__":
    main()
