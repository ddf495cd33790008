"""A model with a custom layer registered with `keras.saving.register_keras_serializable`,
saved by Keras 3 as .keras, for SwiftKeras' LayerRegistry test. Writes functional/custom_scale.*

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_custom_layer_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional")


@keras.saving.register_keras_serializable(package="my_package")
class Scale(keras.layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


keras.utils.set_random_seed(5)
inputs = keras.Input(shape=(3,), name="x")
hidden = keras.layers.Dense(2, name="dense")(inputs)
outputs = Scale(factor=2.5, name="scale")(hidden)
model = keras.Model(inputs, outputs, name="custom_scale")
x = np.random.default_rng(5).normal(size=(4, 3)).astype("float32")
model.save(os.path.join(OUT, "custom_scale.keras"))
with open(os.path.join(OUT, "custom_scale.json"), "w") as f:
    json.dump({
        "inputs": [{"shape": list(x.shape), "values": x.ravel().tolist()}],
        "outputs": [{"shape": [4, 2], "values": model.predict(x, verbose=0).ravel().tolist()}],
    }, f)
