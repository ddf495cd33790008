#!/usr/bin/env python3
"""Golden outputs and gradients of the 1-D sequence layers from real Keras.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_sequence_layer_fixtures.py

Writes layers/<case>.json for AveragePooling1D (valid, same, strides), ZeroPadding1D,
UpSampling1D, Permute, SpatialDropout1D (inference; its training mask is checked in Swift by
what it must do: whole channels dropped) and Conv1D with groups (and dilation).
"""
import keras

from keras_fixture_support import uniform, write_case

keras.utils.set_random_seed(8)
L = keras.layers
x = uniform((2, 7, 4), 70)

write_case("average_pooling1d_valid", L.AveragePooling1D(2), x, gradients=True)
write_case("average_pooling1d_same_strides", L.AveragePooling1D(3, strides=2, padding="same"), x, gradients=True)
write_case("average_pooling1d_same", L.AveragePooling1D(4, strides=1, padding="same"), x, gradients=True)
write_case("zero_padding1d", L.ZeroPadding1D((1, 3)), x, gradients=True)
write_case("zero_padding1d_symmetric", L.ZeroPadding1D(2), x, gradients=True)
write_case("up_sampling1d", L.UpSampling1D(3), x, gradients=True)
write_case("permute", L.Permute((2, 1)), x, gradients=True)
write_case("permute_rank4", L.Permute((3, 1, 2)), uniform((2, 3, 4, 5), 71), gradients=True)
write_case("spatial_dropout1d_inference", L.SpatialDropout1D(0.4, seed=2), x, gradients=True)
write_case("conv1d_groups2", L.Conv1D(6, 3, groups=2, bias_initializer="random_normal"), x, gradients=True)
write_case("conv1d_groups4_dilation_same", L.Conv1D(4, 2, groups=4, dilation_rate=2, padding="same",
                                                   activation="tanh"), x, gradients=True)
print("done")
