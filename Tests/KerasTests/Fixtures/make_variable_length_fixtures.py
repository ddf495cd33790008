"""Keras' lstm_seq2seq model shape: inputs of any length (`Input(shape=(None, F))`), saved by
Keras 3 as .keras and .h5, with predictions on two sequence lengths. Writes functional/variable_length.*

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_variable_length_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional")
keras.utils.set_random_seed(8)
encoder_inputs = keras.Input(shape=(None, 4), name="encoder_inputs")
decoder_inputs = keras.Input(shape=(None, 3), name="decoder_inputs")
_, h, c = layers.LSTM(6, return_state=True, name="encoder")(encoder_inputs)
decoded = layers.LSTM(6, return_sequences=True, name="decoder")(decoder_inputs, initial_state=[h, c])
outputs = layers.Dense(3, activation="softmax", name="next")(decoded)
model = keras.Model([encoder_inputs, decoder_inputs], outputs, name="variable_length")
model.save(os.path.join(OUT, "variable_length.keras"))
model.save(os.path.join(OUT, "variable_length.h5"))
rng = np.random.default_rng(8)
cases = []
for t_enc, t_dec in [(5, 2), (9, 4)]:
    x = [rng.normal(size=(2, t_enc, 4)).astype("float32"), rng.normal(size=(2, t_dec, 3)).astype("float32")]
    y = model.predict(x, verbose=0)
    cases.append({
        "inputs": [{"shape": list(a.shape), "values": a.ravel().tolist()} for a in x],
        "outputs": [{"shape": list(y.shape), "values": y.ravel().tolist()}],
    })
with open(os.path.join(OUT, "variable_length.json"), "w") as f:
    json.dump({"cases": cases}, f)
