"""Saves the serving benchmark's models and request bodies (seeded; nothing here is committed output).

    TF_ENABLE_ONEDNN_OPTS=0 python make_models.py OUT_DIR

OUT_DIR/classify.keras   Input(32, 8) -> LSTM(50) -> Dense(1, sigmoid)          (Benchmarks/benchmarks' classify)
OUT_DIR/forecast.keras   Input(60, 1) -> 3 x [LSTM(50), Dropout(0.2)] -> Dense(1) (Benchmarks/benchmarks' forecast)
OUT_DIR/NAME.json        a predict body of one example, {"instances": [...]}
"""
import json
import os
import sys

import keras
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
keras.utils.set_random_seed(0)

classify = keras.Sequential([keras.Input(shape=(32, 8)), keras.layers.LSTM(50), keras.layers.Dense(1, activation="sigmoid")])
forecast = keras.Sequential(
    [keras.Input(shape=(60, 1))]
    + [layer for flag in (True, True, False) for layer in (keras.layers.LSTM(50, return_sequences=flag), keras.layers.Dropout(0.2))]
    + [keras.layers.Dense(1)]
)
classify.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
forecast.compile(optimizer="adam", loss="mean_squared_error")
for name, model in [("classify", classify), ("forecast", forecast)]:
    model.save(os.path.join(out, f"{name}.keras"))
    x = np.random.normal(size=(1,) + model.input_shape[1:]).astype("float32")
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump({"instances": x.round(4).tolist()}, f)
    print(f"{name}: saved, one example {x.shape[1:]}")
