#!/usr/bin/env python3
"""Golden outputs and gradients of the recurrent layers and wrappers from real Keras.

Weights are set to seeded uniform values after building (so biases and the forget
gate are non-trivial), then `write_case` records output and tf.GradientTape gradients.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_recurrent_layer_fixtures.py
"""
import numpy as np
import keras

from keras_fixture_support import uniform, write_case

keras.utils.set_random_seed(2)

N, T, F = 2, 5, 4
x = uniform((N, T, F), 11)
# Row 0 keeps all 5 steps; row 1 keeps steps 1..3 (padding first and last).
mask = np.array([[1, 1, 1, 1, 1], [0, 1, 1, 1, 0]], dtype=bool)


def randomized(layer, shape=(None, T, F), seed=0):
    layer.build(shape)
    rng = np.random.default_rng(100 + seed)
    layer.set_weights([rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32) for w in layer.get_weights()])
    return layer


cases = [
    ("lstm_last", keras.layers.LSTM(3), {}),
    ("lstm_sequences", keras.layers.LSTM(3, return_sequences=True), {}),
    ("lstm_go_backwards", keras.layers.LSTM(3, return_sequences=True, go_backwards=True), {}),
    ("lstm_masked", keras.layers.LSTM(3, return_sequences=True), {"mask": mask}),
    ("lstm_masked_last", keras.layers.LSTM(3), {"mask": mask}),
    ("lstm_hard_sigmoid_no_bias", keras.layers.LSTM(3, recurrent_activation="hard_sigmoid", use_bias=False), {}),
    ("gru_reset_after", keras.layers.GRU(3, return_sequences=True), {}),
    ("gru_reset_before", keras.layers.GRU(3, reset_after=False), {}),
    ("gru_masked", keras.layers.GRU(3, return_sequences=True), {"mask": mask}),
    ("gru_go_backwards", keras.layers.GRU(3, go_backwards=True), {}),
    ("simple_rnn_last", keras.layers.SimpleRNN(3), {}),
    ("simple_rnn_relu_sequences", keras.layers.SimpleRNN(3, activation="relu", return_sequences=True), {}),
    ("simple_rnn_masked", keras.layers.SimpleRNN(3, return_sequences=True), {"mask": mask}),
    ("bidirectional_lstm_concat", keras.layers.Bidirectional(keras.layers.LSTM(3)), {}),
    ("bidirectional_lstm_sequences_sum", keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True), merge_mode="sum"), {}),
    ("bidirectional_gru_mul", keras.layers.Bidirectional(keras.layers.GRU(2, return_sequences=True), merge_mode="mul"), {}),
    ("bidirectional_simple_rnn_ave", keras.layers.Bidirectional(keras.layers.SimpleRNN(2), merge_mode="ave"), {}),
    ("bidirectional_lstm_masked", keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True)), {"mask": mask}),
    ("time_distributed_dense", keras.layers.TimeDistributed(keras.layers.Dense(3, activation="tanh")), {}),
]
for i, (name, layer, extra) in enumerate(cases):
    write_case(name, randomized(layer, seed=i), x, gradients=True, seed=i, **extra)
print("done")
