#!/usr/bin/env python3
"""The mini-Xception face-expression classifier as Keras 2.0 and tf.keras 2 saved it, for
MiniXceptionTests.swift.

The model is `mini_XCEPTION` of oarriaga/face_classification (src/models/cnn.py), whose trained
files (`fer2013_mini_XCEPTION.102-0.66.hdf5`, ...) packages on PyPI still ship: Conv2D(8, 3x3, no
bias) + BatchNormalization + relu twice, then four modules of a residual Conv2D(1x1, strides 2,
same, no bias) + BatchNormalization beside SeparableConv2D(3x3, same, no bias) + BatchNormalization
+ relu + SeparableConv2D + BatchNormalization + MaxPooling2D(3, strides 2, same), joined by Add;
then Conv2D(classes, 3x3, same) + GlobalAveragePooling2D + Activation("softmax"). Here with a
48x48x1 input and 7 classes (the FER-2013 setting); the weights are seeded and the batch
normalization statistics are not Keras' starting ones (0 and 1), so that every layer shows.

Files (in legacy_keras2/):

- mini_xception_keras205.h5: the whole mini-Xception in the layout Keras 2.0.5's `model.save`
  wrote (keras/models.py `save_model`), which the shipped face_classification files have; Keras
  2.0 does not install on Python 3.11, so it is written with h5py from the tf_keras model's
  configs and weights:
  * root attributes `keras_version` = "2.0.5", `backend` = "tensorflow", `model_config` and
    `training_config` as variable-length strings (Python 2's h5py stored `str` that way);
  * `model_config`: class "Model", each layer `{"class_name", "name", "config", "inbound_nodes"}`
    with nodes as `[[[name, 0, 0, {}]]]`, configs as Keras 2.0.5's `get_config()` wrote them
    (initializers as `{"class_name", "config"}`, `L1L2` kernel regularizers on the two stem
    convolutions, `data_format`, no `groups`, SeparableConv2D without the kernel settings of
    Conv2D, InputLayer with `batch_input_shape` and `sparse`);
  * `training_config`: Adam with Keras 2.0's `lr` and `decay`, `categorical_crossentropy`,
    `metrics: ["accuracy"]`, `sample_weight_mode` and `loss_weights` (no optimizer weights: Keras
    2.0.5 writes them only after the first training step, and the Adam moments would triple the
    file; SwiftKeras was checked by hand on a shipped file that has them);
  * `model_weights`: `layer_names` (fixed-length byte strings), per layer a `weight_names`
    attribute naming datasets as the TensorFlow name scopes of a second model built in one
    session did (`conv2d_1_1/kernel:0`, `batch_normalization_1_1/gamma:0`, ... as in
    fer2013_mini_XCEPTION.102-0.66.hdf5), so a reader must follow `weight_names`, not layer names.
  The rewrite is checked: tf_keras' `load_model` reads the Keras 2.0.5 file (compiled, with the
  `lr` it gives), and predicts exactly as the tf_keras model it was written from. (Its model_config
  and training_config were compared key by key with those of fer2013_mini_XCEPTION.102-0.66.hdf5:
  the same apart from the input size.)
- mini_xception_tfkeras.h5: a narrower mini-Xception of the same layers (stem 4 filters, two
  modules of 8 and 16, ~100 KB rather than ~380 KB) saved by tf_keras itself
  (`model.save(..., save_format="h5", include_optimizer=False)`, `keras_version` 2.x).
- mini_xception.json: the shape of the test images (a formula, see `images`), tf_keras'
  predictions for both files, the optimizer settings tf_keras reads from the Keras 2.0.5 file,
  and the learning rate tf_keras' legacy Adam gives a Keras 2 config with `decay` at a few steps.

Run by hand with the venv made by Scripts/make-keras-venv.sh:

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_mini_xception_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402

from make_legacy_keras2_fixtures import OUT, enc  # noqa: E402

L = tf_keras.layers
INPUT_SHAPE = (48, 48, 1)
CLASSES = 7
L2 = 0.01


class Names:
    """Keras 2.0's automatic layer names: the class's snake-case name and a per-class counter from 1."""

    def __init__(self):
        self.counts = {}

    def __call__(self, prefix):
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}_{self.counts[prefix]}"


def mini_xception(stem_filters=8, module_filters=(16, 32, 64, 128), classes=CLASSES):
    """mini_XCEPTION with the layer names Keras 2.0 gave it (conv2d_1, batch_normalization_1, ...);
    narrower and with fewer modules when asked."""
    name = Names()
    regularizer = tf_keras.regularizers.l2(L2)
    image = L.Input(INPUT_SHAPE, name=name("input"))
    x = image
    for _ in range(2):
        x = L.Conv2D(stem_filters, (3, 3), kernel_regularizer=regularizer, use_bias=False, name=name("conv2d"))(x)
        x = L.BatchNormalization(name=name("batch_normalization"))(x)
        x = L.Activation("relu", name=name("activation"))(x)
    for filters in module_filters:
        # Keras 2.0 named layers when they were made: the residual branch's first.
        residual_conv = L.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False, name=name("conv2d"))
        residual_norm = L.BatchNormalization(name=name("batch_normalization"))
        y = L.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name("separable_conv2d"))(x)
        y = L.BatchNormalization(name=name("batch_normalization"))(y)
        y = L.Activation("relu", name=name("activation"))(y)
        y = L.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name("separable_conv2d"))(y)
        y = L.BatchNormalization(name=name("batch_normalization"))(y)
        y = L.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=name("max_pooling2d"))(y)
        x = L.Add(name=name("add"))([y, residual_norm(residual_conv(x))])
    x = L.Conv2D(classes, (3, 3), padding="same", name=name("conv2d"))(x)
    x = L.GlobalAveragePooling2D(name=name("global_average_pooling2d"))(x)
    output = L.Activation("softmax", name="predictions")(x)
    return tf_keras.Model(image, output, name="model_1")


def seed_weights(model, rng):
    """Seeded kernels and batch-normalization parameters and statistics away from Keras' starting values."""
    for layer in model.layers:
        values = []
        for weight in layer.weights:
            shape = tuple(weight.shape)
            kind = weight.name.split("/")[-1].split(":")[0]
            if kind in ("kernel", "depthwise_kernel", "pointwise_kernel"):
                fan_in = int(np.prod(shape[:-1]))
                values.append(rng.normal(0, np.sqrt(2.0 / fan_in), size=shape))
            elif kind == "gamma":
                values.append(rng.uniform(0.6, 1.4, size=shape))
            elif kind in ("beta", "bias"):
                values.append(rng.normal(0, 0.2, size=shape))
            elif kind == "moving_mean":
                values.append(rng.normal(0, 0.3, size=shape))
            elif kind == "moving_variance":
                values.append(rng.uniform(0.5, 2.0, size=shape))
            else:
                raise ValueError(f"unexpected weight {weight.name}")
        layer.set_weights([v.astype(np.float32) for v in values])


# Keras 2.0.5 configs (keras/layers/*.py `get_config`, keras/initializers.py, keras/regularizers.py).
GLOROT_UNIFORM = {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
ZEROS = {"class_name": "Zeros", "config": {}}
ONES = {"class_name": "Ones", "config": {}}
# Keras 2.0 stored the float32 of the regularizer's factor.
L2_REGULARIZER = {"class_name": "L1L2", "config": {"l1": 0.0, "l2": float(np.float32(L2))}}


def keras205_layer_config(layer):
    """The `config` Keras 2.0.5's `layer.get_config()` wrote for the tf_keras layer `layer`."""
    config = {"name": layer.name, "trainable": True}
    if isinstance(layer, L.InputLayer):
        return {"batch_input_shape": [None, *INPUT_SHAPE], "name": layer.name, "dtype": "float32", "sparse": False}
    if isinstance(layer, L.SeparableConv2D):
        config.update({
            "filters": layer.filters, "kernel_size": list(layer.kernel_size), "strides": list(layer.strides),
            "padding": layer.padding, "data_format": "channels_last", "dilation_rate": list(layer.dilation_rate),
            "activation": "linear", "use_bias": layer.use_bias, "bias_initializer": ZEROS,
            "bias_regularizer": None, "activity_regularizer": None, "bias_constraint": None,
            "depth_multiplier": layer.depth_multiplier, "depthwise_initializer": GLOROT_UNIFORM,
            "pointwise_initializer": GLOROT_UNIFORM, "depthwise_regularizer": None, "pointwise_regularizer": None,
            "depthwise_constraint": None, "pointwise_constraint": None,
        })
    elif isinstance(layer, L.Conv2D):
        config.update({
            "filters": layer.filters, "kernel_size": list(layer.kernel_size), "strides": list(layer.strides),
            "padding": layer.padding, "data_format": "channels_last", "dilation_rate": list(layer.dilation_rate),
            "activation": "linear", "use_bias": layer.use_bias, "kernel_initializer": GLOROT_UNIFORM,
            "bias_initializer": ZEROS,
            "kernel_regularizer": L2_REGULARIZER if layer.kernel_regularizer is not None else None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        })
    elif isinstance(layer, L.BatchNormalization):
        config.update({
            "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
            "beta_initializer": ZEROS, "gamma_initializer": ONES, "moving_mean_initializer": ZEROS,
            "moving_variance_initializer": ONES, "beta_regularizer": None, "gamma_regularizer": None,
            "beta_constraint": None, "gamma_constraint": None,
        })
    elif isinstance(layer, L.Activation):
        config["activation"] = tf_keras.activations.serialize(layer.activation)
    elif isinstance(layer, L.MaxPooling2D):
        config.update({
            "pool_size": list(layer.pool_size), "padding": layer.padding, "strides": list(layer.strides),
            "data_format": "channels_last",
        })
    elif isinstance(layer, L.GlobalAveragePooling2D):
        config["data_format"] = "channels_last"
    elif not isinstance(layer, L.Add):
        raise ValueError(f"no Keras 2.0.5 config for {layer.__class__.__name__}")
    return config


def keras205_model_config(model):
    """Keras 2.0.5's `Container.get_config()`: class "Model", layers with their inbound nodes."""
    layers = []
    for layer in model.layers:
        inbound = []
        for node in layer.inbound_nodes:
            if node.inbound_layers:
                parents = node.inbound_layers if isinstance(node.inbound_layers, list) else [node.inbound_layers]
                inbound.append([[parent.name, 0, 0, {}] for parent in parents])
        layers.append({
            "class_name": layer.__class__.__name__, "name": layer.name, "config": keras205_layer_config(layer),
            "inbound_nodes": inbound,
        })
    return {
        "class_name": "Model",
        "config": {
            "name": model.name, "layers": layers, "input_layers": [[model.layers[0].name, 0, 0]],
            "output_layers": [[model.layers[-1].name, 0, 0]],
        },
    }


# The training settings of fer2013_mini_XCEPTION.102-0.66.hdf5 (Keras 2.0.5 stored the float32
# values of Adam's variables).
KERAS205_TRAINING_CONFIG = {
    "optimizer_config": {
        "class_name": "Adam",
        "config": {
            "lr": 0.00010000000474974513, "beta_1": float(np.float32(0.9)), "beta_2": float(np.float32(0.999)),
            "epsilon": 1e-08, "decay": 0.0,
        },
    },
    "loss": "categorical_crossentropy", "metrics": ["accuracy"], "sample_weight_mode": None, "loss_weights": None,
}


def vlen(text):
    return np.array(text, dtype=h5py.string_dtype("utf-8"))


def write_keras205(model, path):
    """Writes `model` as Keras 2.0.5's `save_model` did (see the module docstring)."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = vlen("2.0.5")
        f.attrs["backend"] = vlen("tensorflow")
        f.attrs["model_config"] = vlen(json.dumps(keras205_model_config(model)))
        f.attrs["training_config"] = vlen(json.dumps(KERAS205_TRAINING_CONFIG))
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([layer.name.encode("utf8") for layer in model.layers], dtype="S")
        weights.attrs["backend"] = vlen("tensorflow")
        weights.attrs["keras_version"] = vlen("2.0.5")
        for layer in model.layers:
            group = weights.create_group(layer.name)
            names = [f"{layer.name}_1/{w.name.split('/')[-1]}" for w in layer.weights]
            group.attrs["weight_names"] = np.array([n.encode("utf8") for n in names], dtype="S") if names else np.array([])
            for name, value in zip(names, layer.get_weights()):
                group.create_dataset(name, data=value.astype(np.float32))


def images(count):
    """Test images by a formula the Swift test repeats exactly (multiples of 1/64):
    x[n, i, j, 0] = ((3i² + 5j + ij + 29n) mod 64) / 64."""
    n, i, j = np.meshgrid(np.arange(count), np.arange(INPUT_SHAPE[0]), np.arange(INPUT_SHAPE[1]), indexing="ij")
    return (((3 * i * i + 5 * j + i * j + 29 * n) % 64) / 64).astype(np.float32)[..., None]


def optimizer_settings(model):
    config = model.optimizer.get_config()
    settings = {key: float(config[key]) for key in ("learning_rate", "beta_1", "beta_2", "epsilon")}
    return {"class_name": model.optimizer.__class__.__name__, **settings}


def main():
    os.makedirs(OUT, exist_ok=True)
    tf_keras.utils.set_random_seed(19)
    rng = np.random.default_rng(19)
    x = images(3)
    case = {"tf_keras_version": tf_keras.__version__, "input_shape": [3, *INPUT_SHAPE]}

    # The whole mini-Xception as Keras 2.0.5 wrote it.
    model = mini_xception()
    seed_weights(model, rng)
    # Keras 2.0's weight order: a layer's trainable weights, then its non-trainable ones.
    for layer in model.layers:
        assert [w.name for w in layer.weights] == [w.name for w in layer.trainable_weights + layer.non_trainable_weights]
    expected = model.predict(x, verbose=0)
    keras205_path = os.path.join(OUT, "mini_xception_keras205.h5")
    write_keras205(model, keras205_path)
    # The rewrite is faithful: tf_keras reads it, compiled, and predicts as the model that wrote it.
    old = tf_keras.models.load_model(keras205_path)
    assert [layer.name for layer in old.layers] == [layer.name for layer in model.layers]
    assert np.array_equal(old.predict(x, verbose=0), expected)
    case["keras205"] = {
        "file": "mini_xception_keras205.h5", "output": enc(expected), "optimizer": optimizer_settings(old),
        "layers": len(model.layers), "parameters": int(model.count_params()),
    }

    # Keras 2's `decay`: tf_keras' legacy Adam (which a Keras 2 config deserializes to) at a few steps.
    decayed = tf_keras.optimizers.deserialize(
        {"class_name": "Adam", "config": {**KERAS205_TRAINING_CONFIG["optimizer_config"]["config"], "decay": 0.01}})
    rates = {}
    for step in (0, 10, 1000):
        decayed.iterations.assign(step)
        rates[str(step)] = float(decayed._decayed_lr(tf.float32).numpy())
    case["keras2_decay"] = {"class_name": decayed.__class__.__module__ + "." + decayed.__class__.__name__,
                            "decay": 0.01, "learning_rate_at_step": rates}

    # A narrower mini-Xception of two modules saved by tf_keras itself (same layers, smaller file).
    small = mini_xception(stem_filters=4, module_filters=(8, 16))
    seed_weights(small, rng)
    expected = small.predict(x, verbose=0)
    tfkeras_path = os.path.join(OUT, "mini_xception_tfkeras.h5")
    small.save(tfkeras_path, save_format="h5", include_optimizer=False)
    reloaded = tf_keras.models.load_model(tfkeras_path, compile=False)
    assert np.array_equal(reloaded.predict(x, verbose=0), expected)
    case["tfkeras"] = {
        "file": "mini_xception_tfkeras.h5", "output": enc(expected),
        "layers": len(small.layers), "parameters": int(small.count_params()),
    }

    with open(os.path.join(OUT, "mini_xception.json"), "w") as f:
        json.dump(case, f, indent=1)
    for key in ("keras205", "tfkeras"):
        path = os.path.join(OUT, case[key]["file"])
        print(key, os.path.getsize(path), "bytes", np.round(np.array(case[key]["output"]["data"]).reshape(3, -1), 4))


if __name__ == "__main__":
    main()
