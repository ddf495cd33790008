// The body of the gate kernels, written once for a vector type and included by gate_kernels.h
// for each instruction set (AVX2: `skgate_*`, eight floats; AVX-512: `skgate512_*`, sixteen).
// Not a header of its own: gate_kernels.h defines SKV, SK_LANES, SK_NAME, SK_TARGET, SK_ENTRY
// and the SK_* operations before each inclusion.

/// e^x for x clamped to [-87.3, 88.3]; NaN stays NaN.
static inline SK_TARGET SKV SK_NAME(exp)(SKV x) {
  SKV clamped = SK_max_ps(SK_set1_ps(-87.3f), SK_min_ps(SK_set1_ps(88.3f), x));
  const SKV magic = SK_set1_ps(12582912.0f);
  SKV shifted = SK_fmadd_ps(clamped, SK_set1_ps(1.44269504f), magic);
  SKV k = SK_sub_ps(shifted, magic);
  SKV r = SK_fmadd_ps(k, SK_set1_ps(2.1219444e-4f), SK_fnmadd_ps(k, SK_set1_ps(0.693359375f), clamped));
  SKV p = SK_set1_ps(1.98756915e-4f);
  p = SK_fmadd_ps(p, r, SK_set1_ps(1.3981999507e-3f));
  p = SK_fmadd_ps(p, r, SK_set1_ps(8.3334519073e-3f));
  p = SK_fmadd_ps(p, r, SK_set1_ps(4.1665795894e-2f));
  p = SK_fmadd_ps(p, r, SK_set1_ps(1.6666665459e-1f));
  p = SK_fmadd_ps(p, r, SK_set1_ps(5.0000001201e-1f));
  p = SK_add_ps(SK_fmadd_ps(SK_mul_ps(p, r), r, r), SK_set1_ps(1.0f));
  SKV_I exponent = SK_ADD_EPI32(
    SK_SUB_EPI32(SK_CASTPS_SI(shifted), SK_SET1_EPI32(0x4B400000)), SK_SET1_EPI32(127));
  return SK_mul_ps(p, SK_CASTSI_PS(SK_SLLI_EPI32(exponent, 23)));
}

/// 1 / (1 + e^-x).
static inline SK_TARGET SKV SK_NAME(sigmoid)(SKV x) {
  const SKV one = SK_set1_ps(1.0f);
  return SK_div_ps(one, SK_add_ps(one, SK_NAME(exp)(SK_sub_ps(SK_setzero_ps(), x))));
}

/// Eigen's rational tanh on x clamped to ±7.9, x itself below 0.0004 in magnitude.
static inline SK_TARGET SKV SK_NAME(tanh)(SKV x) {
  const float bound = 7.90531110763549805f;
  SKV clamped = SK_max_ps(SK_set1_ps(-bound), SK_min_ps(SK_set1_ps(bound), x));
  SKV z = SK_mul_ps(clamped, clamped);
  SKV p = SK_set1_ps(-2.76076847742355e-16f);
  p = SK_fmadd_ps(p, z, SK_set1_ps(2.00018790482477e-13f));
  p = SK_fmadd_ps(p, z, SK_set1_ps(-8.60467152213735e-11f));
  p = SK_fmadd_ps(p, z, SK_set1_ps(5.12229709037114e-08f));
  p = SK_fmadd_ps(p, z, SK_set1_ps(1.48572235717979e-05f));
  p = SK_fmadd_ps(p, z, SK_set1_ps(6.37261928875436e-04f));
  p = SK_fmadd_ps(p, z, SK_set1_ps(4.89352455891786e-03f));
  SKV q = SK_set1_ps(1.19825839466702e-06f);
  q = SK_fmadd_ps(q, z, SK_set1_ps(1.18534705686654e-04f));
  q = SK_fmadd_ps(q, z, SK_set1_ps(2.26843463243900e-03f));
  q = SK_fmadd_ps(q, z, SK_set1_ps(4.89352518554385e-03f));
  SKV rational = SK_div_ps(SK_mul_ps(clamped, p), q);
  return SK_SELECT_TINY(x, rational);
}

/// values[k] = sigmoid(values[k]) for k < count.
static inline SK_ENTRY void SK_NAME(sigmoid_inplace)(float *values, long count) {
  for (long k = 0; k < count; k += SK_LANES) SK_NAME(store)(values + k, count - k, SK_NAME(sigmoid)(SK_NAME(load)(values + k, count - k)));
}

/// values[k] = tanh(values[k]) for k < count.
static inline SK_ENTRY void SK_NAME(tanh_inplace)(float *values, long count) {
  for (long k = 0; k < count; k += SK_LANES) SK_NAME(store)(values + k, count - k, SK_NAME(tanh)(SK_NAME(load)(values + k, count - k)));
}

/// gradients[k] *= 1 - y², y = outputs[k] (tanh' through its output).
static inline SK_ENTRY void SK_NAME(tanh_derivative)(float *gradients, const float *outputs, long count) {
  const SKV one = SK_set1_ps(1.0f);
  for (long k = 0; k < count; k += SK_LANES) {
    SKV y = SK_NAME(load)(outputs + k, count - k);
    SKV g = SK_NAME(load)(gradients + k, count - k);
    SK_NAME(store)(gradients + k, count - k, SK_mul_ps(g, SK_fnmadd_ps(y, y, one)));
  }
}

/// gradients[k] *= y·(1 - y), y = outputs[k] (sigmoid' through its output).
static inline SK_ENTRY void SK_NAME(sigmoid_derivative)(float *gradients, const float *outputs, long count) {
  const SKV one = SK_set1_ps(1.0f);
  for (long k = 0; k < count; k += SK_LANES) {
    SKV y = SK_NAME(load)(outputs + k, count - k);
    SKV g = SK_NAME(load)(gradients + k, count - k);
    SK_NAME(store)(gradients + k, count - k, SK_mul_ps(g, SK_mul_ps(y, SK_sub_ps(one, y))));
  }
}

/// The pre-activation `x + h + bias` of lanes `j...` (`x + bias` when `h` is NULL: the
/// recurrent product was already added to `x`).
static inline SK_TARGET SKV SK_NAME(preactivation)(const float *x, const float *h, const float *bias, long j, long n) {
  SKV sum = h ? SK_add_ps(SK_NAME(load)(x + j, n), SK_NAME(load)(h + j, n)) : SK_NAME(load)(x + j, n);
  return SK_add_ps(sum, SK_NAME(load)(bias + j, n));
}

/// One LSTM row forward (sigmoid gates, tanh candidate and output): the pre-activations
/// `x + h + bias` of gates i, f, c, o (`h` NULL: `x + bias`), their activations into `gates`,
/// `c' = f·c + i·g` into `carry_next`, `tanh(c')` into `activated` and `o·tanh(c')` into
/// `hidden_next`. `gates` and `activated` may be NULL when no backward pass needs them.
static inline SK_ENTRY void SK_NAME(lstm_forward_row)(
  const float *x, const float *h, const float *bias, float *gates, const float *carry, float *carry_next,
  float *activated, float *hidden_next, long u) {
  for (long j = 0; j < u; j += SK_LANES) {
    long n = u - j;
    SKV i = SK_NAME(sigmoid)(SK_NAME(preactivation)(x, h, bias, j, n));
    SKV f = SK_NAME(sigmoid)(SK_NAME(preactivation)(x, h, bias, u + j, n));
    SKV g = SK_NAME(tanh)(SK_NAME(preactivation)(x, h, bias, 2 * u + j, n));
    SKV o = SK_NAME(sigmoid)(SK_NAME(preactivation)(x, h, bias, 3 * u + j, n));
    if (gates) {
      SK_NAME(store)(gates + j, n, i);
      SK_NAME(store)(gates + u + j, n, f);
      SK_NAME(store)(gates + 2 * u + j, n, g);
      SK_NAME(store)(gates + 3 * u + j, n, o);
    }
    SKV c = SK_fmadd_ps(f, SK_NAME(load)(carry + j, n), SK_mul_ps(i, g));
    SK_NAME(store)(carry_next + j, n, c);
    SKV a = SK_NAME(tanh)(c);
    if (activated) SK_NAME(store)(activated + j, n, a);
    SK_NAME(store)(hidden_next + j, n, SK_mul_ps(o, a));
  }
}

/// One LSTM row backward (sigmoid gates, tanh candidate and output): from `dh` and `dc` (the
/// gradients of the states after the step) the pre-activation gate gradients into `dgates`,
/// added to `bias_gradient`; `dc` becomes the gradient of the carry before, `dh` zero.
static inline SK_ENTRY void SK_NAME(lstm_backward_row)(
  const float *gates, const float *carry, const float *activated, float *dh, float *dc, float *dgates,
  float *bias_gradient, long u) {
  const SKV one = SK_set1_ps(1.0f);
  for (long j = 0; j < u; j += SK_LANES) {
    long n = u - j;
    SKV i = SK_NAME(load)(gates + j, n), f = SK_NAME(load)(gates + u + j, n);
    SKV g = SK_NAME(load)(gates + 2 * u + j, n), o = SK_NAME(load)(gates + 3 * u + j, n);
    SKV a = SK_NAME(load)(activated + j, n), h = SK_NAME(load)(dh + j, n);
    SKV c_next = SK_add_ps(SK_NAME(load)(dc + j, n), SK_mul_ps(SK_mul_ps(h, o), SK_fnmadd_ps(a, a, one)));
    SKV di = SK_mul_ps(SK_mul_ps(c_next, g), SK_mul_ps(i, SK_sub_ps(one, i)));
    SKV df = SK_mul_ps(SK_mul_ps(c_next, SK_NAME(load)(carry + j, n)), SK_mul_ps(f, SK_sub_ps(one, f)));
    SKV dg = SK_mul_ps(SK_mul_ps(c_next, i), SK_fnmadd_ps(g, g, one));
    SKV dout = SK_mul_ps(SK_mul_ps(h, a), SK_mul_ps(o, SK_sub_ps(one, o)));
    SK_NAME(store)(dgates + j, n, di);
    SK_NAME(store)(dgates + u + j, n, df);
    SK_NAME(store)(dgates + 2 * u + j, n, dg);
    SK_NAME(store)(dgates + 3 * u + j, n, dout);
    SK_NAME(store)(bias_gradient + j, n, SK_add_ps(SK_NAME(load)(bias_gradient + j, n), di));
    SK_NAME(store)(bias_gradient + u + j, n, SK_add_ps(SK_NAME(load)(bias_gradient + u + j, n), df));
    SK_NAME(store)(bias_gradient + 2 * u + j, n, SK_add_ps(SK_NAME(load)(bias_gradient + 2 * u + j, n), dg));
    SK_NAME(store)(bias_gradient + 3 * u + j, n, SK_add_ps(SK_NAME(load)(bias_gradient + 3 * u + j, n), dout));
    SK_NAME(store)(dc + j, n, SK_mul_ps(c_next, f));
    SK_NAME(store)(dh + j, n, SK_setzero_ps());
  }
}

/// One SimpleRNN row forward with tanh: `tanh(x + h + bias)` (`h` NULL: `tanh(x + bias)`)
/// into `gates` and `hidden_next`.
static inline SK_ENTRY void SK_NAME(rnn_tanh_forward_row)(
  const float *x, const float *h, const float *bias, float *gates, float *hidden_next, long u) {
  for (long j = 0; j < u; j += SK_LANES) {
    long n = u - j;
    SKV a = SK_NAME(tanh)(SK_NAME(preactivation)(x, h, bias, j, n));
    SK_NAME(store)(gates + j, n, a);
    SK_NAME(store)(hidden_next + j, n, a);
  }
}

/// One SimpleRNN row backward with tanh: `dh·(1 - a²)` into `dgates`, added to `bias_gradient`; `dh` becomes zero.
static inline SK_ENTRY void SK_NAME(rnn_tanh_backward_row)(
  const float *gates, float *dh, float *dgates, float *bias_gradient, long u) {
  const SKV one = SK_set1_ps(1.0f);
  for (long j = 0; j < u; j += SK_LANES) {
    long n = u - j;
    SKV a = SK_NAME(load)(gates + j, n);
    SKV da = SK_mul_ps(SK_NAME(load)(dh + j, n), SK_fnmadd_ps(a, a, one));
    SK_NAME(store)(dgates + j, n, da);
    SK_NAME(store)(bias_gradient + j, n, SK_add_ps(SK_NAME(load)(bias_gradient + j, n), da));
    SK_NAME(store)(dh + j, n, SK_setzero_ps());
  }
}

