#!/usr/bin/env python3
"""Whole attention models saved by Keras 3 and tf_keras, with Keras' predictions.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_attention_model_fixtures.py

Writes attention_models/:

    encoder.keras, encoder.h5, encoder.weights.h5   Keras 3: token ids -> Embedding(mask_zero) ->
        MultiHeadAttention(use_causal_mask) -> Add -> LayerNormalization -> GlobalAveragePooling1D -> Dense
    encoder.tf_keras.h5     the same model and weights saved by tf_keras (Keras 2 config keys, kwargs triples)
    cross.keras, cross.h5   Keras 3: MultiHeadAttention(q, v, key=k, attention_mask=m, return_attention_scores=True)
    dot.h5                  Keras 3's own legacy .h5 of Attention(score_mode="dot") with use_causal_mask,
                            which Keras 3.15 cannot reload (its legacy loader reads "dot" as keras.layers.dot)
    <name>.json             inputs, Keras' outputs and, for encoder, `model.summary()` at COLUMNS=100
"""
import json
import os
import subprocess
import sys

import numpy as np
import keras

from keras_fixture_support import HERE, enc, uniform

keras.utils.set_random_seed(6)
OUT = os.path.join(HERE, "attention_models")
os.makedirs(OUT, exist_ok=True)

ENCODER = """
tokens = keras.Input((6,), dtype="int32", name="tokens")
x = keras.layers.Embedding(20, 8, mask_zero=True, name="embed")(tokens)
a = keras.layers.MultiHeadAttention(2, 4, name="mha")(x, x, use_causal_mask=True)
h = keras.layers.LayerNormalization(name="norm")(keras.layers.Add(name="residual")([x, a]))
pooled = keras.layers.GlobalAveragePooling1D(name="pool")(h)
model = keras.Model(tokens, keras.layers.Dense(3, activation="softmax", name="out")(pooled), name="encoder")
"""


def build(source, module):
    namespace = {"keras": module}
    exec(source, namespace)
    return namespace["model"]


def randomize(model):
    for w in model.weights:
        w.assign(np.random.default_rng(len(w.path) + 11).normal(size=w.shape).astype(np.float32) * 0.4)


def dump(name, inputs, outputs, **extra):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(dict({"inputs": [enc(i) for i in inputs], "outputs": [enc(o) for o in outputs]}, **extra), f,
                  separators=(",", ":"))


encoder = build(ENCODER, keras)
randomize(encoder)
ids = np.array([[3, 7, 1, 9, 0, 0], [5, 2, 8, 4, 6, 11], [1, 0, 0, 0, 0, 0]], dtype=np.int32)
encoder.save(os.path.join(OUT, "encoder.keras"))
encoder.save(os.path.join(OUT, "encoder.h5"))
encoder.save_weights(os.path.join(OUT, "encoder.weights.h5"))
import tf_keras  # noqa: E402

legacy = build(ENCODER, tf_keras)
legacy.set_weights(encoder.get_weights())
legacy.save(os.path.join(OUT, "encoder.tf_keras.h5"))
np.testing.assert_allclose(legacy.predict(ids, verbose=0), encoder.predict(ids, verbose=0), atol=1e-5)
program = "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL']='3'\nimport keras\n" + ENCODER + "model.summary()\n"
env = dict(os.environ, COLUMNS="100", TF_CPP_MIN_LOG_LEVEL="3")
summary = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True).stdout
dump("encoder", [ids.astype(np.float32)], [encoder.predict(ids, verbose=0)], summary=summary)

q = keras.Input((4, 6), name="q")
v = keras.Input((5, 3), name="v")
k = keras.Input((5, 2), name="k")
m = keras.Input((4, 5), name="m")
o, s = keras.layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=(2, 3), name="mha")(
    q, v, key=k, attention_mask=m, return_attention_scores=True)
cross = keras.Model([q, v, k, m], [o, s], name="cross")
randomize(cross)
xs = [uniform((2, 4, 6), 60), uniform((2, 5, 3), 61), uniform((2, 5, 2), 62),
      (np.random.default_rng(63).uniform(size=(2, 4, 5)) > 0.3).astype(np.float32)]
cross.save(os.path.join(OUT, "cross.keras"))
cross.save(os.path.join(OUT, "cross.h5"))
dump("cross", xs, cross.predict(xs, verbose=0))

dq = keras.Input((4, 3), name="q")
dv = keras.Input((4, 3), name="v")
att = keras.layers.Attention(use_scale=True, name="att")([dq, dv], use_causal_mask=True)
dot = keras.Model([dq, dv], keras.layers.Dense(2, name="out")(att), name="dot")
randomize(dot)
dx = [uniform((2, 4, 3), 64), uniform((2, 4, 3), 65)]
dot.save(os.path.join(OUT, "dot.h5"))
try:
    keras.models.load_model(os.path.join(OUT, "dot.h5"))
    reloads = True
except Exception as error:  # Keras 3.15: 'str' object ... / dot is not a valid score_mode
    reloads = False
    print("Keras cannot reload dot.h5:", type(error).__name__, str(error)[:200])
dump("dot", dx, [dot.predict(dx, verbose=0)], keras_reloads=reloads)
print("done")
