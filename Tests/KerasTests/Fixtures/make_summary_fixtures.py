#!/usr/bin/env python3
"""Keras' own `model.summary()` text for the models the summary tests rebuild in Swift.

Keras sizes the table as min(88, COLUMNS - 4), so each model is printed at two
widths: COLUMNS=100 (88 wide) and COLUMNS=80 (76 wide, what a non-terminal gets).

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_summary_fixtures.py
"""
import io
import os
import subprocess
import sys

MODELS = {
    "stacked_lstm": """
m = keras.Sequential([
    keras.Input((60, 1)),
    keras.layers.LSTM(50, return_sequences=True),
    keras.layers.Dropout(0.2),
    keras.layers.LSTM(50, return_sequences=True),
    keras.layers.Dropout(0.2),
    keras.layers.LSTM(50),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(1),
])
""",
    "embedding_bidirectional": """
m = keras.Sequential([
    keras.Input((10,)),
    keras.layers.Embedding(1000, 64, mask_zero=True),
    keras.layers.Bidirectional(keras.layers.LSTM(32)),
    keras.layers.Dense(1, activation="sigmoid"),
])
""",
    "dense_mlp": """
m = keras.Sequential([
    keras.Input((784,)),
    keras.layers.Dense(512, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10, activation="softmax"),
])
""",
    "unbuilt": """
m = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(1)])
""",
    "long_names_trained": """
import numpy as np
m = keras.Sequential([
    keras.Input((12, 4)),
    keras.layers.Conv1D(8, 3, activation="relu"),
    keras.layers.GlobalAveragePooling1D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
m.compile(optimizer="adam", loss="binary_crossentropy")
m.train_on_batch(np.zeros((2, 12, 4), "float32"), np.zeros((2, 1), "float32"))
""",
}

HERE = os.path.dirname(os.path.abspath(__file__))
for name, code in MODELS.items():
    for columns in (100, 80):
        program = "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL']='3'\nimport keras\n" + code + "m.summary()\n"
        env = dict(os.environ, COLUMNS=str(columns), TF_CPP_MIN_LOG_LEVEL="3")
        out = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True).stdout
        with open(os.path.join(HERE, "summaries", f"{name}_{columns}.txt"), "w") as f:
            f.write(out)
print("done")
