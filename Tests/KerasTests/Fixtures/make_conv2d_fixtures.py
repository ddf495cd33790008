#!/usr/bin/env python3
"""Golden outputs and gradients of the image layers from real Keras, and one small image model's files.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_conv2d_fixtures.py

Writes layers/<case>.json for Conv2D (strides, same/valid padding, dilation, groups, 1x1),
DepthwiseConv2D, SeparableConv2D, the 2-D poolings, ZeroPadding2D, UpSampling2D and Flatten and
Reshape on images; and, for a small convnet of every image layer:

    images/convnet.keras         Keras 3 `model.save` (config + weights)
    images/convnet.weights.h5    Keras 3 `model.save_weights`
    images/convnet.tf_keras.h5   the same model and weights saved whole by tf_keras (Keras 2, legacy HDF5)
    images/convnet.tf_keras.weights.h5   tf_keras `model.save_weights` (legacy HDF5 layout)
    images/convnet.json          the input, Keras' predictions and `model.summary()` at COLUMNS=100
"""
import io
import json
import os
import subprocess
import sys

import numpy as np
import keras

from keras_fixture_support import HERE, enc, uniform, write_case

keras.utils.set_random_seed(3)
L = keras.layers
x = uniform((2, 6, 5, 2), 30)
odd = uniform((2, 7, 6, 2), 31)
four = uniform((2, 6, 5, 4), 32)

# Conv2D: valid and same padding, strides, dilation, groups, a 1x1 kernel, no bias, an activation.
write_case("conv2d_valid", L.Conv2D(3, 3, bias_initializer="random_normal"), x, gradients=True)
write_case("conv2d_same", L.Conv2D(2, (3, 2), padding="same", bias_initializer="random_normal"), x, gradients=True)
write_case("conv2d_strides2_same", L.Conv2D(3, 3, strides=2, padding="same"), odd, gradients=True)
write_case("conv2d_strides_valid", L.Conv2D(2, (2, 3), strides=(2, 1), bias_initializer="random_normal"), odd,
           gradients=True)
write_case("conv2d_dilation2_same", L.Conv2D(2, 2, dilation_rate=2, padding="same"), odd, gradients=True)
write_case("conv2d_dilation_valid", L.Conv2D(2, 3, dilation_rate=(1, 2), use_bias=False), odd, gradients=True)
write_case("conv2d_groups2_relu", L.Conv2D(4, 3, groups=2, activation="relu", bias_initializer="random_normal"),
           four, gradients=True)
write_case("conv2d_1x1", L.Conv2D(3, 1, bias_initializer="random_normal"), x, gradients=True)

# Depthwise and separable convolutions.
write_case("depthwise_conv2d_same", L.DepthwiseConv2D(3, depth_multiplier=2, padding="same",
                                                      bias_initializer="random_normal"), x, gradients=True)
write_case("depthwise_conv2d_strides2", L.DepthwiseConv2D((2, 3), strides=2), odd, gradients=True)
write_case("separable_conv2d", L.SeparableConv2D(3, 3, depth_multiplier=2, bias_initializer="random_normal"), odd,
           gradients=True)
write_case("separable_conv2d_dilation_same", L.SeparableConv2D(2, 2, dilation_rate=2, padding="same",
                                                               activation="tanh"), odd, gradients=True)

# Poolings.
write_case("max_pooling2d_valid", L.MaxPooling2D(), odd, gradients=True)
write_case("max_pooling2d_same_strides", L.MaxPooling2D(3, strides=2, padding="same"), odd, gradients=True)
write_case("max_pooling2d_rectangular", L.MaxPooling2D((2, 3), strides=1), x, gradients=True)
write_case("average_pooling2d_valid", L.AveragePooling2D(2), odd, gradients=True)
write_case("average_pooling2d_same_strides", L.AveragePooling2D(3, strides=2, padding="same"), odd, gradients=True)
write_case("global_average_pooling2d", L.GlobalAveragePooling2D(), x, gradients=True)
write_case("global_average_pooling2d_keepdims", L.GlobalAveragePooling2D(keepdims=True), x, gradients=True)
write_case("global_max_pooling2d", L.GlobalMaxPooling2D(), x, gradients=True)

# Reshaping.
write_case("zero_padding2d", L.ZeroPadding2D(((1, 2), (0, 3))), x, gradients=True)
write_case("zero_padding2d_symmetric", L.ZeroPadding2D((2, 1)), x, gradients=True)
write_case("up_sampling2d", L.UpSampling2D((2, 3)), x, gradients=True)
write_case("flatten_image", L.Flatten(), x, gradients=True)
write_case("reshape_image", L.Reshape((5, 12)), x, gradients=True)

# A small convnet of every image layer, saved whole and as weights.
OUT = os.path.join(HERE, "images")
os.makedirs(OUT, exist_ok=True)
CONVNET = """
model = keras.Sequential([
    keras.Input((12, 10, 2)),
    keras.layers.ZeroPadding2D(1),
    keras.layers.Conv2D(4, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2),
    keras.layers.SeparableConv2D(6, 2, activation="relu"),
    keras.layers.UpSampling2D(2),
    keras.layers.Conv2D(4, 3, strides=2, padding="same", groups=2),
    keras.layers.AveragePooling2D(2, padding="same"),
    keras.layers.GlobalMaxPooling2D(keepdims=True),
    keras.layers.Flatten(),
    keras.layers.Dense(3, activation="softmax"),
], name="convnet")
"""
namespace = {"keras": keras}
exec(CONVNET, namespace)
model = namespace["model"]
for w in model.weights:  # non-zero biases, so a bias read wrongly shows
    if w.path.endswith("bias"):
        w.assign(np.random.default_rng(len(w.path)).normal(size=w.shape).astype(np.float32) * 0.1)
xi = uniform((3, 12, 10, 2), 33)
model.save(os.path.join(OUT, "convnet.keras"))
model.save_weights(os.path.join(OUT, "convnet.weights.h5"))
# The same model and weights in tf_keras (Keras 2): whole-model .h5 and legacy weights .h5.
import tf_keras  # noqa: E402

namespace2 = {"keras": tf_keras}
exec(CONVNET, namespace2)
legacy = namespace2["model"]
legacy.set_weights(model.get_weights())
legacy.save(os.path.join(OUT, "convnet.tf_keras.h5"))
legacy.save_weights(os.path.join(OUT, "convnet.tf_keras.weights.h5"))
np.testing.assert_allclose(legacy.predict(xi, verbose=0), model.predict(xi, verbose=0), atol=1e-6)
program = ("import os\nos.environ['TF_CPP_MIN_LOG_LEVEL']='3'\nimport keras\n" + CONVNET + "model.summary()\n")
env = dict(os.environ, COLUMNS="100", TF_CPP_MIN_LOG_LEVEL="3")
summary = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True).stdout
with open(os.path.join(OUT, "convnet.json"), "w") as f:
    json.dump({"input": enc(xi), "output": enc(model.predict(xi, verbose=0)), "summary": summary}, f,
              separators=(",", ":"))
print("done")
