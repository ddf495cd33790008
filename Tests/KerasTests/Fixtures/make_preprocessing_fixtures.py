"""Golden values for Keras' data utilities and preprocessing layers, made by real Keras 3.

Writes into preprocessing/:

- `timeseries.json`: the batches of `keras.utils.timeseries_dataset_from_array` (windows and
  targets) for several strides, sampling rates, start/end indices and target lengths;
- `sequences.json`: `keras.utils.pad_sequences` and `keras.utils.to_categorical` results;
- `normalization.json`: `Normalization` layers adapted on arrays and on lists of batches, or
  given a mean and variance (with `invert`): weights, configs, outputs; and
  `normalization.keras` / `normalization.h5`, a `Normalization -> Dense` model adapted and
  saved by Keras, with its predictions in `normalization.json`;
- `text_vectorization.json`: `TextVectorization` adapted on a small corpus in every
  standardize/split/output mode: vocabularies, idf weights, configs and outputs; and
  `text_model.keras`, a string-input model (TextVectorization -> Embedding -> pooling -> Dense)
  saved by Keras, with its predictions, and `text_model_sequential.keras`, the same kind of
  model as a Sequential.

Run by hand with the venv of Scripts/make-keras-venv.sh (Keras 3.15):
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_preprocessing_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preprocessing")
os.makedirs(OUT, exist_ok=True)


def enc(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "values": a.ravel().tolist()}


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def write(name, record):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(record, f, indent=1)


# MARK: timeseries_dataset_from_array

def timeseries():
    data = np.arange(60 * 2, dtype="float32").reshape(60, 2)
    targets = np.arange(60, dtype="float32") * 10
    cases = [
        dict(name="defaults", targets=targets, sequence_length=5, batch_size=16),
        dict(name="stride_rate_start_end", targets=targets, sequence_length=4, sequence_stride=3,
             sampling_rate=2, batch_size=7, start_index=5, end_index=50),
        dict(name="no_targets", targets=None, sequence_length=10, sequence_stride=4, batch_size=4),
        # The forecasting idiom: the target of a window is the value right after it.
        dict(name="targets_after_window", targets=targets[6:], sequence_length=6, batch_size=8),
        dict(name="start_only", targets=targets, sequence_length=3, sampling_rate=3, batch_size=5,
             start_index=20),
        dict(name="end_only", targets=targets, sequence_length=2, sequence_stride=5, batch_size=3,
             end_index=31),
    ]
    out = {"data": enc(data), "targets": enc(targets), "cases": []}
    for case in cases:
        kwargs = {k: v for k, v in case.items() if k not in ("name", "targets")}
        ds = keras.utils.timeseries_dataset_from_array(data, case["targets"], **kwargs)
        batches = []
        for batch in ds:
            if case["targets"] is None:
                batches.append({"x": enc(batch.numpy())})
            else:
                x, y = batch
                batches.append({"x": enc(x.numpy()), "y": enc(y.numpy())})
        record = {"name": case["name"], "target_offset": 6 if case["name"] == "targets_after_window" else 0,
                  "has_targets": case["targets"] is not None,
                  "arguments": kwargs, "batches": batches}
        out["cases"].append(record)
    write("timeseries.json", jsonable(out))


# MARK: pad_sequences, to_categorical

def sequences():
    seqs = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]
    pads = []
    for kwargs in [
        {},
        {"maxlen": 3},
        {"maxlen": 3, "padding": "post", "truncating": "post"},
        {"maxlen": 6, "padding": "post", "value": -1},
        {"maxlen": 4, "truncating": "post", "dtype": "float32", "value": 0.5},
    ]:
        pads.append({"arguments": kwargs, "result": enc(keras.utils.pad_sequences(seqs, **kwargs))})
    feature_seqs = [[[1, 2], [3, 4]], [[5, 6]]]
    pads.append({"arguments": {"maxlen": 3, "dtype": "float32"}, "features": True,
                 "result": enc(keras.utils.pad_sequences(feature_seqs, maxlen=3, dtype="float32"))})
    cats = []
    for labels, num_classes in [([0, 2, 1, 3], None), ([0, 2, 1, 3], 5), ([[1], [0], [2]], None),
                                ([[0, 1], [2, 0]], 3)]:
        cats.append({"labels": enc(np.array(labels)), "num_classes": num_classes,
                     "result": enc(keras.utils.to_categorical(labels, num_classes))})
    write("sequences.json", {"sequences": seqs, "feature_sequences": feature_seqs, "pad": pads,
                             "categorical": cats})


# MARK: Normalization

def normalization():
    rng = np.random.default_rng(7)
    data2 = (rng.normal(size=(20, 3)) * [1, 5, 0.1] + [0, 10, -2]).astype("float32")
    data3 = rng.normal(size=(6, 4, 3)).astype("float32") * 3 + 1
    x2 = rng.normal(size=(4, 3)).astype("float32") * 4
    x3 = rng.normal(size=(2, 4, 3)).astype("float32")
    cases = []

    def add(name, layer, x, adapt_data=None, batches=None):
        if adapt_data is not None:
            layer.adapt(adapt_data)
        if batches is not None:
            layer.adapt(batches)
        y = layer(x)
        cases.append({"name": name, "config": jsonable(layer.get_config()),
                      "adapt": enc(adapt_data) if adapt_data is not None else None,
                      "batches": [enc(b) for b in batches] if batches is not None else None,
                      "weights": [dict(enc(w.numpy()), name=w.path, dtype=str(w.dtype)) for w in layer.weights],
                      "input": enc(x), "output": enc(y.numpy())})

    add("last_axis", layers.Normalization(), x2, adapt_data=data2)
    add("all_axes", layers.Normalization(axis=None), x2, adapt_data=data2)
    add("axes_1_2", layers.Normalization(axis=(1, 2)), x3, adapt_data=data3)
    add("axis_1_rank3", layers.Normalization(axis=1), x3, adapt_data=data3)
    add("batches", layers.Normalization(), x2, batches=[data2[:7], data2[7:15], data2[15:]])
    add("given", layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 0.0]), x2)
    add("given_scalar_invert", layers.Normalization(mean=2.0, variance=9.0, invert=True), x2)
    given = cases[-2]
    # Variables and config exist only once built.
    assert given["weights"] == []

    keras.utils.set_random_seed(3)
    norm = layers.Normalization(name="norm")
    norm.adapt(data2)
    model = keras.Sequential([keras.Input(shape=(3,)), norm, layers.Dense(2, name="dense")], name="normalized")
    model.save(os.path.join(OUT, "normalization.keras"))
    model.save(os.path.join(OUT, "normalization.h5"))
    model_record = {"input": enc(x2), "output": enc(model.predict(x2, verbose=0))}
    write("normalization.json", {"cases": cases, "model": model_record})


# MARK: TextVectorization

CORPUS = [
    "The cat sat on the mat.",
    "the dog ATE my homework!",
    "A cat, a dog; and a BIRD?",
    "Dogs\tand cats\nlive together.",
    "CAFÉ crème: the café's best",
    "it's   the end of the world",
]
QUERIES = ["the cat and the zebra", "DOG!! dog, bird... ", "", "café CAFÉ crème brûlée", "a b c d e f g h"]


def text_vectorization():
    cases = []

    def add(name, **kwargs):
        layer = layers.TextVectorization(**kwargs)
        if kwargs.get("vocabulary") is None:
            layer.adapt(CORPUS)
        out = layer(np.array(QUERIES))
        record = {"name": name, "arguments": jsonable(kwargs), "config": jsonable(layer.get_config()),
                  "vocabulary": layer.get_vocabulary(), "output": enc(np.asarray(out))}
        if kwargs.get("output_mode") == "tf_idf":
            record["idf_weights"] = np.asarray(layer._lookup_layer.idf_weights_const).tolist()
        cases.append(record)

    add("defaults")
    add("max_tokens_sequence_length", max_tokens=8, output_sequence_length=5)
    add("bigrams", ngrams=2, output_sequence_length=8)
    add("ngrams_1_3", ngrams=(1, 3), max_tokens=30)
    add("lower_character", standardize="lower", split="character", output_sequence_length=12)
    add("strip_punctuation", standardize="strip_punctuation")
    add("no_standardize", standardize=None)
    add("no_split", split=None, standardize="lower")
    add("multi_hot", output_mode="multi_hot", max_tokens=10)
    add("count", output_mode="count")
    add("tf_idf", output_mode="tf_idf", max_tokens=12)
    add("tf_idf_padded", output_mode="tf_idf", max_tokens=40, pad_to_max_tokens=True)
    add("given_vocabulary", vocabulary=["the", "cat", "dog", "a"], output_sequence_length=6)
    add("given_vocabulary_multi_hot", vocabulary=["the", "cat", "dog", "a"], output_mode="multi_hot")

    keras.utils.set_random_seed(5)
    vectorizer = layers.TextVectorization(max_tokens=20, output_sequence_length=6, name="vectorizer")
    vectorizer.adapt(CORPUS)
    text = keras.Input(shape=(1,), dtype="string", name="text")
    x = vectorizer(text)
    x = layers.Embedding(20, 4, name="embedding")(x)
    x = layers.GlobalAveragePooling1D(name="pooling")(x)
    out = layers.Dense(1, activation="sigmoid", name="score")(x)
    model = keras.Model(text, out, name="text_model")
    model.save(os.path.join(OUT, "text_model.keras"))
    import tensorflow as tf
    queries = tf.constant(QUERIES)[:, None]
    model_record = {"input": QUERIES, "output": enc(model.predict(queries, verbose=0)),
                    "ids": enc(np.asarray(vectorizer(np.array(QUERIES))))}
    keras.utils.set_random_seed(6)
    seq_vectorizer = layers.TextVectorization(max_tokens=15, output_sequence_length=4, name="seq_vectorizer")
    seq_vectorizer.adapt(CORPUS)
    sequential = keras.Sequential([
        keras.Input(shape=(1,), dtype="string", name="words"), seq_vectorizer,
        layers.Embedding(15, 3, name="seq_embedding"), layers.GlobalAveragePooling1D(name="seq_pooling"),
        layers.Dense(2, activation="softmax", name="seq_score")], name="text_sequential")
    sequential.save(os.path.join(OUT, "text_model_sequential.keras"))
    sequential_record = {"output": enc(sequential.predict(queries, verbose=0))}
    write("text_vectorization.json", {"corpus": CORPUS, "queries": QUERIES, "cases": cases, "model": model_record,
                                      "sequential_model": sequential_record})


if __name__ == "__main__":
    timeseries()
    sequences()
    normalization()
    text_vectorization()
