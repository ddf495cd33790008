#!/usr/bin/env python3
"""Golden outputs, attention scores and gradients of keras.layers.MultiHeadAttention from real Keras.

    TF_ENABLE_ONEDNN_OPTS=0 /tmp/kerasref/bin/python make_multi_head_attention_fixtures.py

Writes multi_head_attention/<case>.json: the layer's config, its weights (random, biases too), the
query, value, optional key, masks carried by the inputs (`query_mask`, `value_mask`, `key_mask`,
as an Embedding with `mask_zero` would set them) and `attention_mask`, Keras' output (of a call
without `return_attention_scores`, the common path), the output and scores of a call with
`return_attention_scores=True`, and the gradients of sum(output * loss_weights) with respect to
query, value, key and every weight.

Keras 3.15 computes a query step whose every key is masked differently on its two paths: the
fused `dot_product_attention` (no dropout, no scores returned) spreads it uniformly over the
keys, the explicit path (scores returned, or `dropout > 0`) gives it all-zero weights. The
`*_masked_row` cases pin both.
"""
import json
import os

import numpy as np
import tensorflow as tf
import keras
from keras.src import backend

from keras_fixture_support import HERE, enc, jsonable, uniform

keras.utils.set_random_seed(5)
OUT = os.path.join(HERE, "multi_head_attention")
os.makedirs(OUT, exist_ok=True)
query = uniform((2, 4, 6), 50)
value = uniform((2, 5, 3), 51)
key = uniform((2, 5, 2), 52)
query_mask = np.array([[1, 1, 1, 0], [1, 0, 1, 1]], dtype=bool)
value_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
key_mask = np.array([[1, 1, 0, 1, 1], [0, 1, 1, 1, 1]], dtype=bool)
self_mask = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], dtype=bool)
# Row 1 of batch 0 sees no key at all.
attention_mask = np.array([
    [[1, 0, 1, 1, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0]],
    [[1, 1, 1, 1, 1], [1, 1, 0, 0, 1], [0, 0, 1, 0, 0], [1, 0, 0, 1, 1]],
], dtype=bool)


def masked(array, mask):
    t = tf.constant(array)
    if mask is not None:
        backend.set_keras_mask(t, tf.constant(mask))
    return t


def write(name, layer, q, v, k=None, masks=(None, None, None), attention=None, causal=False, training=False):
    def tensors():
        return masked(q, masks[0]), masked(v, masks[1]), (masked(k, masks[2]) if k is not None else None)

    am = tf.constant(attention) if attention is not None else None

    def call(qt, vt, kt, scores=False):
        return layer(qt, vt, key=kt, attention_mask=am, use_causal_mask=causal, return_attention_scores=scores,
                     training=training)

    call(*tensors())
    for w in layer.weights:  # biases away from zero, so a bias read wrongly shows
        w.assign(np.random.default_rng(len(w.path) + 7).normal(size=w.shape).astype(np.float32) * 0.5)
    out = call(*tensors())
    out_scored, scores = call(*tensors(), scores=True)
    r = np.random.default_rng(1).uniform(-1, 1, size=out.shape).astype(np.float32)
    variables = [w.value for w in layer.weights]
    qt, vt, kt = tensors()
    inputs = [qt, vt] + ([kt] if kt is not None else [])
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        tape.watch(variables)
        y = call(qt, vt, kt)
        loss = tf.reduce_sum(y * r)
    grads = tape.gradient(loss, inputs + variables)
    grads = [g if g is not None else tf.zeros_like(t) for g, t in zip(grads, inputs + variables)]

    def mask_json(m):
        return enc(m.astype(np.float32)) if m is not None else None

    case = {
        "name": name, "config": jsonable(layer.get_config()), "use_causal_mask": causal,
        "query": enc(q), "value": enc(v), "key": enc(k) if k is not None else None,
        "query_mask": mask_json(masks[0]), "value_mask": mask_json(masks[1]), "key_mask": mask_json(masks[2]),
        "attention_mask": mask_json(attention),
        "weights": [dict(enc(w.numpy()), name=w.path) for w in layer.weights],
        "output": enc(out.numpy()), "scored_output": enc(out_scored.numpy()), "scores": enc(scores.numpy()),
        "loss_weights": enc(r),
        "input_gradients": [enc(g.numpy()) for g in grads[:len(inputs)]],
        "weight_gradients": [enc(g.numpy()) for g in grads[len(inputs):]],
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(case, f, separators=(",", ":"))


MHA = keras.layers.MultiHeadAttention
write("self", MHA(2, 3), query, query)
write("cross_key_value_dim", MHA(2, 3, value_dim=4), query, value, key)
write("causal", MHA(3, 2), query, query, causal=True)
write("output_shape_no_bias", MHA(2, 3, use_bias=False, output_shape=(2, 3)), query, value)
write("output_shape_int", MHA(1, 4, output_shape=5), query, value, key)
write("input_masks", MHA(2, 3), query, value, key, masks=(query_mask, value_mask, key_mask))
write("self_masks_causal", MHA(2, 2), query, query, masks=(self_mask, self_mask, None), causal=True)
write("attention_mask_masked_row", MHA(2, 3), query, value, attention=attention_mask)
write("attention_mask_masked_row_dropout", MHA(2, 3, dropout=0.3), query, value, attention=attention_mask)
write("attention_mask_causal_masks", MHA(2, 3), query, value[:, :4], key[:, :4],
      masks=(query_mask, None, None), attention=attention_mask[:, :, :4], causal=True)
print("done")
