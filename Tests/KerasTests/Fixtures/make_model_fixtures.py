#!/usr/bin/env python3
"""Golden predictions of small Sequential models from real Keras: weights in
`model.get_weights()` order, an input, and `model.predict` output.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_model_fixtures.py
"""
import json
import os

import numpy as np
import keras

from keras_fixture_support import HERE, enc, uniform

keras.utils.set_random_seed(3)


def write_model(name, model, x):
    rng = np.random.default_rng(len(name))
    model.set_weights([rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])
    y = model.predict(x, verbose=0)
    case = {
        "name": name,
        "weights": [dict(enc(w), name=v.path) for w, v in zip(model.get_weights(), model.weights)],
        "input": enc(x),
        "output": enc(y),
    }
    with open(os.path.join(HERE, "models", name + ".json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))


write_model("stacked_lstm", keras.Sequential([
    keras.Input((6, 2)),
    keras.layers.LSTM(4, return_sequences=True),
    keras.layers.Dropout(0.2),
    keras.layers.LSTM(3),
    keras.layers.Dense(1),
]), uniform((3, 6, 2), 21))

ids = np.array([[3, 7, 1, 0, 0, 0, 0], [11, 2, 2, 5, 9, 4, 0], [0, 0, 6, 1, 8, 3, 10]], dtype=np.float32)
write_model("embedding_bidirectional", keras.Sequential([
    keras.Input((7,)),
    keras.layers.Embedding(12, 4, mask_zero=True),
    keras.layers.Bidirectional(keras.layers.LSTM(3)),
    keras.layers.Dense(1, activation="sigmoid"),
]), ids)

write_model("embedding_gru_time_distributed", keras.Sequential([
    keras.Input((7,)),
    keras.layers.Embedding(12, 4, mask_zero=True),
    keras.layers.GRU(3, return_sequences=True),
    keras.layers.TimeDistributed(keras.layers.Dense(2, activation="softmax")),
]), ids)
print("done")
