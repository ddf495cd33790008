#!/usr/bin/env python3
"""Golden outputs and gradients of Conv1D, the 1-D poolings and the normalization layers from real Keras.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_conv_norm_fixtures.py

Besides the usual layers/<case>.json, writes layers/batch_normalization_update.json: the
moving statistics of a BatchNormalization before and after one call with training=True.
"""
import json
import os

import numpy as np
import keras

from keras_fixture_support import HERE, enc, uniform, write_case

keras.utils.set_random_seed(2)
L = keras.layers
x = uniform((2, 7, 3), 20)

# Conv1D: every padding, a stride, a dilation, an activation.
write_case("conv1d_valid", L.Conv1D(4, 3, bias_initializer="random_normal"), x, gradients=True)
write_case("conv1d_same", L.Conv1D(2, 4, padding="same", bias_initializer="random_normal"), x, gradients=True)
write_case("conv1d_causal", L.Conv1D(2, 3, padding="causal", dilation_rate=2, use_bias=False), x, gradients=True)
write_case("conv1d_causal_strides2", L.Conv1D(2, 3, strides=2, padding="causal"), uniform((2, 8, 3), 22), gradients=True)
write_case("conv1d_strides2", L.Conv1D(3, 3, strides=2, bias_initializer="random_normal"), x, gradients=True)
write_case("conv1d_strides2_same", L.Conv1D(3, 3, strides=2, padding="same"), x, gradients=True)
write_case("conv1d_dilation2", L.Conv1D(3, 2, dilation_rate=2, bias_initializer="random_normal"), x, gradients=True)
write_case("conv1d_relu", L.Conv1D(4, 2, activation="relu", bias_initializer="random_normal"), x, gradients=True)

# Poolings.
write_case("max_pooling1d_valid", L.MaxPooling1D(), x, gradients=True)
write_case("max_pooling1d_same", L.MaxPooling1D(2, padding="same"), x, gradients=True)
write_case("max_pooling1d_strides", L.MaxPooling1D(3, strides=1), x, gradients=True)
write_case("max_pooling1d_same_strides", L.MaxPooling1D(3, strides=2, padding="same"), x, gradients=True)
write_case("global_average_pooling1d", L.GlobalAveragePooling1D(), x, gradients=True)
write_case("global_average_pooling1d_keepdims", L.GlobalAveragePooling1D(keepdims=True), x)
steps = np.array([[1, 1, 1, 1, 0, 0, 0], [1, 0, 1, 1, 1, 1, 1]], dtype=bool)
write_case("global_average_pooling1d_masked", L.GlobalAveragePooling1D(), x, gradients=True, mask=steps)
write_case("global_max_pooling1d", L.GlobalMaxPooling1D(), x, gradients=True)


def with_weights(layer, shape, weights):
    layer.build(shape)
    layer.set_weights(weights)
    return layer


def batch_norm_weights(channels, seed):
    return [uniform((channels,), seed, 0.5, 1.5), uniform((channels,), seed + 1),
            uniform((channels,), seed + 2), uniform((channels,), seed + 3, 0.5, 2.0)]


# BatchNormalization: inference by non-trivial moving statistics; training by batch statistics.
xb = uniform((2, 7, 3), 21, -1.0, 3.0)
write_case("batch_normalization_inference",
           with_weights(L.BatchNormalization(), (None, 7, 3), batch_norm_weights(3, 30)), xb, gradients=True)
write_case("batch_normalization_training",
           with_weights(L.BatchNormalization(), (None, 7, 3), batch_norm_weights(3, 30)), xb, gradients=True,
           training=True)
write_case("batch_normalization_training_masked",
           with_weights(L.BatchNormalization(), (None, 7, 3), batch_norm_weights(3, 30)), xb, gradients=True,
           training=True, mask=steps)
write_case("batch_normalization_axis1",
           with_weights(L.BatchNormalization(axis=1, epsilon=1e-5, center=False), (None, 7, 3),
                        batch_norm_weights(7, 40)[1:]), xb, gradients=True, training=True)

# The moving statistics after exactly one training call.
update = with_weights(L.BatchNormalization(momentum=0.8), (None, 7, 3), batch_norm_weights(3, 50))
before = [w.numpy() for w in update.weights]
update(xb, training=True)
case = {"input": enc(xb), "momentum": 0.8, "weights_before": [enc(w) for w in before],
        "weights_after": [enc(w.numpy()) for w in update.weights]}
with open(os.path.join(HERE, "layers", "batch_normalization_update.json"), "w") as f:
    json.dump(case, f, separators=(",", ":"))

# LayerNormalization with random gamma and beta, over the last axis and over [1, 2].
write_case("layer_normalization",
           with_weights(L.LayerNormalization(), (None, 7, 3), [uniform((3,), 60, 0.5, 1.5), uniform((3,), 61)]),
           xb, gradients=True)
write_case("layer_normalization_axes12",
           with_weights(L.LayerNormalization(axis=[1, 2], epsilon=1e-5), (None, 7, 3),
                        [uniform((7, 3), 62, 0.5, 1.5), uniform((7, 3), 63)]), xb, gradients=True)
print("done")
