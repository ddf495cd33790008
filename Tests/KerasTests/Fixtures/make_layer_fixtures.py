#!/usr/bin/env python3
"""Golden forward outputs (and gradients) of the core and embedding layers from real Keras.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_layer_fixtures.py
"""
import numpy as np
import keras

from keras_fixture_support import uniform, write_case

keras.utils.set_random_seed(1)

write_case("dense_relu", keras.layers.Dense(4, activation="relu", bias_initializer="random_normal"), uniform((3, 5), 1), gradients=True)
write_case("dense_rank3", keras.layers.Dense(2, activation="tanh", bias_initializer="random_normal"), uniform((2, 3, 4), 2), gradients=True)
write_case("dense_no_bias", keras.layers.Dense(3, use_bias=False), uniform((2, 4), 3), gradients=True)
write_case("activation_softmax", keras.layers.Activation("softmax"), uniform((2, 5), 4))
write_case("activation_gelu", keras.layers.Activation("gelu"), uniform((2, 5), 5, -3, 3))
write_case("activation_hard_sigmoid", keras.layers.Activation("hard_sigmoid"), uniform((2, 5), 6, -4, 4))
write_case("dropout_inference", keras.layers.Dropout(0.5), uniform((2, 5), 7))
write_case("flatten", keras.layers.Flatten(), uniform((2, 3, 4), 8))
write_case("reshape", keras.layers.Reshape((4, -1)), uniform((2, 3, 4), 9))
write_case("repeat_vector", keras.layers.RepeatVector(3), uniform((2, 4), 10))
ids = np.array([[1, 4, 0, 2], [3, 3, 9, 0]], dtype=np.float32)
write_case("embedding", keras.layers.Embedding(10, 3), ids, gradients=False)
print("done")
