"""Golden values for a layer called with `training=False` in a Functional graph (Keras'
transfer-learning pattern), made by real Keras 3.

Writes functional/frozen_base (.keras, .h5, .json): Input(4) -> base(x, training=False) -> Dense(2),
where base is a Sequential Dense(6) -> BatchNormalization with moving statistics set away from 0/1.
Keras 3's Functional call passes the model's own `training` to every layer when it is given
(keras/src/models/functional.py, `operation_fn`), so the node's `training=False` only acts when the
model is called without one. The JSON holds the input, `model(x, training=False)` (moving
statistics) as "outputs" and `model(x, training=True)` (batch statistics: the model's mode wins)
as "training_output".

Run by hand with the venv of Scripts/make-keras-venv.sh (Keras 3.15):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_training_argument_fixtures.py
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


def array(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "values": x.astype("float64").ravel().tolist()}


keras.utils.set_random_seed(3)
rng = np.random.default_rng(3)
base = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(6), layers.BatchNormalization()], name="base")
bn = base.layers[1]
bn.moving_mean.assign(rng.normal(size=(6,)).astype("float32"))
bn.moving_variance.assign(rng.uniform(0.5, 2.0, size=(6,)).astype("float32"))
inp = keras.Input(shape=(4,), name="features")
out = layers.Dense(2, name="head")(base(inp, training=False))
model = keras.Model(inp, out)
x = rng.normal(size=(5, 4)).astype("float32")
inference = model(x, training=False).numpy()
model.save(os.path.join(OUT, "frozen_base.keras"))
model.save(os.path.join(OUT, "frozen_base.h5"))
training = model(x, training=True).numpy()  # after saving: a training call updates the moving statistics
with open(os.path.join(OUT, "frozen_base.json"), "w") as f:
    json.dump({"inputs": [array(x)], "outputs": [array(inference)], "training_output": array(training),
               "layers": [layer.name for layer in model.layers]}, f)
print("wrote frozen_base; inference vs training difference", float(np.abs(inference - training).max()))
