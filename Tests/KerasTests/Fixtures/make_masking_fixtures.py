"""Golden values for the Masking layer and for masks passed on by Activation and TimeDistributed,
made by real Keras 3.

Writes into functional/ (the format of make_functional_mask_fixtures.py: .keras, .h5, .json with
inputs, outputs and layer names):
- mask_masking: Masking(mask_value=0) over padded float sequences (zero steps at the end, the
  start, the middle, all but one) into LSTM(return_sequences) -> LSTM -> Dense, and a second output
  GlobalAveragePooling1D of the Masking output (a masked mean).
- mask_passthrough: Embedding(mask_zero=True) -> TimeDistributed(Dense) -> Activation("tanh") ->
  LSTM, so the output differs from the unmasked one only if both layers pass the mask on.

Run by hand with the venv of Scripts/make-keras-venv.sh (Keras 3.15):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_masking_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional")
os.makedirs(OUT, exist_ok=True)


def array(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "values": x.astype("float64").ravel().tolist()}


def record(name, model, inputs):
    predictions = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    if not isinstance(predictions, list):
        predictions = [predictions]
    model.save(os.path.join(OUT, f"{name}.keras"))
    model.save(os.path.join(OUT, f"{name}.h5"))
    data = {
        "inputs": [array(x) for x in inputs],
        "outputs": [array(p) for p in predictions],
        "layers": [layer.name for layer in model.layers],
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(data, f)


keras.utils.set_random_seed(7)
rng = np.random.default_rng(7)

# Masking over float sequences: 4 rows, 6 steps, 3 features.
x = rng.normal(size=(4, 6, 3)).astype("float32")
x[0, 4:] = 0  # padding at the end
x[1, :2] = 0  # at the start
x[2, 2:4] = 0  # in the middle
x[3, :5] = 0  # all but the last step (a whole masked row would make the pooled mean 0/0)
x[0, 1, 0] = 0  # one zero feature alone does not mask its step
inp = keras.Input(shape=(6, 3), name="steps")
masked = layers.Masking(mask_value=0.0, name="masking")(inp)
h = layers.LSTM(5, return_sequences=True, name="lstm_1")(masked)
h = layers.LSTM(4, name="lstm_2")(h)
out = layers.Dense(2, name="head")(h)
pooled = layers.GlobalAveragePooling1D(name="pool")(masked)
record("mask_masking", keras.Model(inp, [out, pooled]), [x])

# Masks passed on by TimeDistributed and Activation.
ids = np.array([[3, 5, 2, 0, 0], [0, 0, 7, 1, 4], [6, 0, 0, 2, 9], [0, 0, 0, 0, 0]], dtype="float32")
inp = keras.Input(shape=(5,), name="ids")
e = layers.Embedding(10, 4, mask_zero=True, name="embedding")(inp)
t = layers.TimeDistributed(layers.Dense(3), name="per_step")(e)
a = layers.Activation("tanh", name="tanh")(t)
out = layers.LSTM(3, name="lstm")(a)
record("mask_passthrough", keras.Model(inp, out), [ids])
print("wrote mask_masking and mask_passthrough")
