#!/usr/bin/env python3
"""Golden outputs, attention scores and gradients of keras.layers.Attention and AdditiveAttention from real Keras.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_attention_fixtures.py

Writes attention/<case>.json: the layer's config, its weights (set to values other than the
initial ones), query, value and optional key and masks, Keras' output and scores, and the
gradients of sum(output * loss_weights) with respect to query, value, key and every weight.
"""
import json
import os

import numpy as np
import tensorflow as tf
import keras

from keras_fixture_support import HERE, enc, jsonable, uniform

keras.utils.set_random_seed(4)
OUT = os.path.join(HERE, "attention")
os.makedirs(OUT, exist_ok=True)
query = uniform((2, 4, 3), 40)
value = uniform((2, 5, 2), 41)
value_square = uniform((2, 4, 2), 42)
key = uniform((2, 5, 3), 43)
key_square = uniform((2, 4, 3), 44)
query_mask = np.array([[1, 1, 1, 0], [1, 0, 1, 1]], dtype=bool)
value_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
value_mask_square = np.array([[1, 1, 0, 1], [1, 1, 1, 0]], dtype=bool)


def write(name, layer, q, v, k=None, masks=None, causal=False, weights=None):
    inputs = [q, v] + ([k] if k is not None else [])
    tensors = [tf.constant(a) for a in inputs]
    mask = [tf.constant(m) for m in masks] if masks is not None else None
    layer(tensors, mask=mask, use_causal_mask=causal)
    if weights is not None:
        layer.set_weights([np.array(w, dtype=np.float32) for w in weights])
    out, scores = layer(tensors, mask=mask, use_causal_mask=causal, return_attention_scores=True)
    r = np.random.default_rng(1).uniform(-1, 1, size=out.shape).astype(np.float32)
    variables = [w.value for w in layer.weights]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        tape.watch(variables)
        y = layer(tensors, mask=mask, use_causal_mask=causal)
        loss = tf.reduce_sum(y * r)
    grads = tape.gradient(loss, tensors + variables)
    grads = [g if g is not None else tf.zeros_like(t) for g, t in zip(grads, tensors + variables)]
    case = {
        "name": name, "config": jsonable(layer.get_config()), "use_causal_mask": causal,
        "query": enc(q), "value": enc(v), "key": enc(k) if k is not None else None,
        "query_mask": enc(masks[0].astype(np.float32)) if masks is not None else None,
        "value_mask": enc(masks[1].astype(np.float32)) if masks is not None else None,
        "weights": [dict(enc(w.numpy()), name=w.path) for w in layer.weights],
        "output": enc(out.numpy()), "scores": enc(scores.numpy()), "loss_weights": enc(r),
        "input_gradients": [enc(g.numpy()) for g in grads[:len(inputs)]],
        "weight_gradients": [enc(g.numpy()) for g in grads[len(inputs):]],
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))


L = keras.layers
write("dot", L.Attention(), query, uniform((2, 5, 3), 45))
write("dot_key", L.Attention(), query, value, key)
write("dot_scale", L.Attention(use_scale=True), query, value, key, weights=[0.7])
write("dot_masks", L.Attention(), query, value, key, masks=[query_mask, value_mask])
write("dot_causal", L.Attention(), query, value_square, key_square, causal=True)
write("dot_causal_masks", L.Attention(use_scale=True), query, value_square, key_square,
      masks=[query_mask, value_mask_square], causal=True, weights=[1.3])
write("concat", L.Attention(score_mode="concat"), query, value, key, weights=[0.8])
write("concat_scale_masks", L.Attention(use_scale=True, score_mode="concat"), query, value, key,
      masks=[query_mask, value_mask], weights=[0.6, 1.2])
write("concat_causal", L.Attention(score_mode="concat", dropout=0.25, seed=3), query, value_square, key_square,
      causal=True)
write("additive", L.AdditiveAttention(), query, value, key, weights=[[0.5, -1.2, 0.9]])
write("additive_no_scale_masks", L.AdditiveAttention(use_scale=False), query, value, key,
      masks=[query_mask, value_mask])
write("additive_causal_masks", L.AdditiveAttention(), query, value_square, key_square,
      masks=[query_mask, value_mask_square], causal=True, weights=[[1.1, 0.3, -0.7]])
print("done")
