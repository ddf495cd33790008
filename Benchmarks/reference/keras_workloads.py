"""The benchmark workloads in Keras 3 (TensorFlow backend, CPU): the reference SwiftKeras is
measured against (see Benchmarks/README.md for the workloads and how to run them).

Four workloads shaped like the example programs, Keras' "Simple MNIST convnet" and a two-block
Transformer classifier after Keras' "Text classification with Transformer", on synthetic data drawn from NumPy with seed 0,
so that the Swift harness can train on exactly these arrays (it saves them to .npy through this
module's WORKLOADS table). For each workload named on the command line (all by default) it prints
one JSON line: training samples/s (the median epoch after the first), the first epoch's seconds,
evaluate and predict samples/s over the training data, the last epoch's loss, every epoch's loss and
the weight count.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python keras_workloads.py [classify forecast rnn large convnet transformer]

The harness (Benchmarks/benchmarks) imports this file and uses WORKLOADS and run(name); keep both.
"""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
from keras import layers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # workload_data.py beside this file
from workload_data import data_classify, data_forecast, data_large, data_convnet, data_transformer  # noqa: E402

def model_classify():
    m = keras.Sequential([keras.Input((32, 8)), layers.LSTM(50), layers.Dense(1, activation="sigmoid")])
    m.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m

def model_forecast():
    m = keras.Sequential([keras.Input((60, 1)),
        layers.LSTM(50, return_sequences=True), layers.Dropout(0.2),
        layers.LSTM(50, return_sequences=True), layers.Dropout(0.2),
        layers.LSTM(50), layers.Dropout(0.2), layers.Dense(1)])
    m.compile(loss="mean_squared_error", optimizer="adam")
    return m

def model_rnn():
    m = keras.Sequential([keras.Input((60, 1)), layers.SimpleRNN(32), layers.Dense(1)])
    m.compile(loss="mean_squared_error", optimizer=keras.optimizers.SGD(0.01))
    return m

def model_large():
    m = keras.Sequential([keras.Input((100, 128)), layers.LSTM(512), layers.Dense(1)])
    m.compile(loss="mean_squared_error", optimizer="adam")
    return m

def model_convnet():
    m = keras.Sequential([keras.Input((28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m

class TokenAndPositionEmbedding(layers.Layer):
    """Keras' example layer: token embedding plus a learned embedding of positions 0..T-1."""
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = keras.ops.arange(start=0, stop=keras.ops.shape(x)[-1], step=1)
        return self.token_emb(x) + self.pos_emb(positions)

def transformer_block(x, embed_dim=64, num_heads=4, key_dim=16, ff_dim=128, rate=0.1):
    """Post-norm block of Keras' example: attention, dropout, residual Add, LayerNormalization,
    then Dense(ff_dim, relu) -> Dense(embed_dim), dropout, residual Add, LayerNormalization."""
    attended = layers.Dropout(rate)(layers.MultiHeadAttention(num_heads=num_heads, key_dim=key_dim)(x, x))
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attended]))
    fed = layers.Dropout(rate)(layers.Dense(embed_dim)(layers.Dense(ff_dim, activation="relu")(x)))
    return layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, fed]))

def model_transformer():
    inputs = keras.Input((128,))
    x = TokenAndPositionEmbedding(128, 5000, 64)(inputs)
    for _ in range(2):
        x = transformer_block(x)
    x = layers.Dropout(0.1)(layers.GlobalAveragePooling1D()(x))
    m = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    m.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m

WORKLOADS = {
    "classify": (data_classify, model_classify, 32, 4),
    "forecast": (data_forecast, model_forecast, 32, 3),
    "rnn": (data_forecast, model_rnn, 32, 3),
    "large": (data_large, model_large, 128, 2),
    "convnet": (data_convnet, model_convnet, 128, 3),
    "transformer": (data_transformer, model_transformer, 32, 3),
}

def run(name):
    data, build, batch, epochs = WORKLOADS[name]
    x, y = data()
    keras.utils.set_random_seed(int(os.environ.get("BENCH_SEED", "0")))  # weights, dropout, shuffling
    policy = os.environ.get("BENCH_POLICY")          # the harness' --policy: mixed_bfloat16
    if policy:
        keras.mixed_precision.set_global_policy(policy)
    m = build()
    times = []
    class T(keras.callbacks.Callback):
        def on_epoch_begin(self, e, logs=None): self.t = time.perf_counter()
        def on_epoch_end(self, e, logs=None): times.append(time.perf_counter() - self.t)
    h = m.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[T()])
    t = time.perf_counter(); m.evaluate(x, y, batch_size=batch, verbose=0); te = time.perf_counter() - t
    t = time.perf_counter(); m.predict(x, batch_size=batch, verbose=0); tp = time.perf_counter() - t
    steady = sorted(times[1:])[len(times[1:]) // 2] if len(times) > 1 else times[0]
    print(json.dumps({"workload": name, "framework": f"keras {keras.__version__} / {keras.backend.backend()}",
        "train_samples_per_s": round(len(x) / steady, 1), "first_epoch_s": round(times[0], 2),
        "evaluate_samples_per_s": round(len(x) / te, 1), "predict_samples_per_s": round(len(x) / tp, 1),
        "final_loss": round(float(h.history["loss"][-1]), 5),
        "epoch_losses": [round(float(v), 5) for v in h.history["loss"]], "params": m.count_params(),
        "policy": keras.mixed_precision.global_policy().name}), flush=True)

if __name__ == "__main__":
    for name in (sys.argv[1:] or WORKLOADS):
        run(name)
