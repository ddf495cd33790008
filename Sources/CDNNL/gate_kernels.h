// Gate math of the fused recurrent kernel (TensorCore's RecurrentKernel) in AVX2 + FMA,
// eight floats per instruction. Swift builds for baseline x86-64 (SSE2) and the package cannot
// pass -mavx2 (unsafeFlags), so these are `static inline` functions with a per-function target:
// the Swift compiler emits them into TensorCore, which calls them only when
// `skgate_cpu_has_avx2_fma()` says the CPU and the OS support them.
//
// The formulas are TensorCore's FastMath ones (Cephes exp, Eigen's rational tanh), the same
// operations in the same order except that multiply-adds are fused. `u` is the number of units;
// a row's gates are contiguous, LSTM gates i, f, c, o each `u` wide.
#ifndef SWIFTKERAS_CDNNL_GATE_KERNELS_H
#define SWIFTKERAS_CDNNL_GATE_KERNELS_H
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define SKGATE_TARGET __attribute__((target("avx2,fma"), always_inline, unused))
#define SKGATE_ENTRY __attribute__((target("avx2,fma"), unused))

/// 1 when the CPU has AVX2 and FMA and the OS saves the YMM registers.
static inline __attribute__((unused)) int skgate_cpu_has_avx2_fma(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!fma || !osxsave || !avx) return 0;
  unsigned low, high;
  __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  if ((low & 6) != 6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b >> 5) & 1;
}

/// Lanes below `count` (0...8) set.
static inline SKGATE_TARGET __m256i skgate_mask(long count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline SKGATE_TARGET __m256 skgate_load(const float *p, long remaining) {
  return remaining >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, skgate_mask(remaining));
}

static inline SKGATE_TARGET void skgate_store(float *p, long remaining, __m256 v) {
  if (remaining >= 8) _mm256_storeu_ps(p, v);
  else _mm256_maskstore_ps(p, skgate_mask(remaining), v);
}

/// e^x for x clamped to [-87.3, 88.3]; NaN stays NaN.
static inline SKGATE_TARGET __m256 skgate_exp(__m256 x) {
  __m256 clamped = _mm256_max_ps(_mm256_set1_ps(-87.3f), _mm256_min_ps(_mm256_set1_ps(88.3f), x));
  const __m256 magic = _mm256_set1_ps(12582912.0f);
  __m256 shifted = _mm256_fmadd_ps(clamped, _mm256_set1_ps(1.44269504f), magic);
  __m256 k = _mm256_sub_ps(shifted, magic);
  __m256 r = _mm256_fmadd_ps(k, _mm256_set1_ps(2.1219444e-4f), _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), clamped));
  __m256 p = _mm256_set1_ps(1.98756915e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), _mm256_set1_ps(1.0f));
  __m256i exponent = _mm256_add_epi32(
    _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000)), _mm256_set1_epi32(127));
  return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(exponent, 23)));
}

/// 1 / (1 + e^-x).
static inline SKGATE_TARGET __m256 skgate_sigmoid(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, skgate_exp(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

/// Eigen's rational tanh on x clamped to ±7.9, x itself below 0.0004 in magnitude.
static inline SKGATE_TARGET __m256 skgate_tanh(__m256 x) {
  const float bound = 7.90531110763549805f;
  __m256 clamped = _mm256_max_ps(_mm256_set1_ps(-bound), _mm256_min_ps(_mm256_set1_ps(bound), x));
  __m256 z = _mm256_mul_ps(clamped, clamped);
  __m256 p = _mm256_set1_ps(-2.76076847742355e-16f);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.00018790482477e-13f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-8.60467152213735e-11f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(5.12229709037114e-08f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.48572235717979e-05f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(6.37261928875436e-04f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(4.89352455891786e-03f));
  __m256 q = _mm256_set1_ps(1.19825839466702e-06f);
  q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(1.18534705686654e-04f));
  q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(2.26843463243900e-03f));
  q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(4.89352518554385e-03f));
  __m256 rational = _mm256_div_ps(_mm256_mul_ps(clamped, p), q);
  __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  __m256 tiny = _mm256_cmp_ps(magnitude, _mm256_set1_ps(0.0004f), _CMP_LT_OQ);
  return _mm256_blendv_ps(rational, x, tiny);
}

/// values[k] = sigmoid(values[k]) for k < count.
static inline SKGATE_ENTRY void skgate_sigmoid_inplace(float *values, long count) {
  for (long k = 0; k < count; k += 8) skgate_store(values + k, count - k, skgate_sigmoid(skgate_load(values + k, count - k)));
}

/// values[k] = tanh(values[k]) for k < count.
static inline SKGATE_ENTRY void skgate_tanh_inplace(float *values, long count) {
  for (long k = 0; k < count; k += 8) skgate_store(values + k, count - k, skgate_tanh(skgate_load(values + k, count - k)));
}

/// gradients[k] *= 1 - y², y = outputs[k] (tanh' through its output).
static inline SKGATE_ENTRY void skgate_tanh_derivative(float *gradients, const float *outputs, long count) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (long k = 0; k < count; k += 8) {
    __m256 y = skgate_load(outputs + k, count - k);
    __m256 g = skgate_load(gradients + k, count - k);
    skgate_store(gradients + k, count - k, _mm256_mul_ps(g, _mm256_fnmadd_ps(y, y, one)));
  }
}

/// gradients[k] *= y·(1 - y), y = outputs[k] (sigmoid' through its output).
static inline SKGATE_ENTRY void skgate_sigmoid_derivative(float *gradients, const float *outputs, long count) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (long k = 0; k < count; k += 8) {
    __m256 y = skgate_load(outputs + k, count - k);
    __m256 g = skgate_load(gradients + k, count - k);
    skgate_store(gradients + k, count - k, _mm256_mul_ps(g, _mm256_mul_ps(y, _mm256_sub_ps(one, y))));
  }
}

/// One LSTM row forward (sigmoid gates, tanh candidate and output): the pre-activations
/// `x + h + bias` of gates i, f, c, o, their activations into `gates`, `c' = f·c + i·g` into
/// `carry_next`, `tanh(c')` into `activated` and `o·tanh(c')` into `hidden_next`.
static inline SKGATE_ENTRY void skgate_lstm_forward_row(
  const float *x, const float *h, const float *bias, float *gates, const float *carry, float *carry_next,
  float *activated, float *hidden_next, long u) {
  for (long j = 0; j < u; j += 8) {
    long n = u - j;
    __m256 i = skgate_sigmoid(_mm256_add_ps(_mm256_add_ps(skgate_load(x + j, n), skgate_load(h + j, n)), skgate_load(bias + j, n)));
    __m256 f = skgate_sigmoid(
      _mm256_add_ps(_mm256_add_ps(skgate_load(x + u + j, n), skgate_load(h + u + j, n)), skgate_load(bias + u + j, n)));
    __m256 g = skgate_tanh(
      _mm256_add_ps(_mm256_add_ps(skgate_load(x + 2 * u + j, n), skgate_load(h + 2 * u + j, n)), skgate_load(bias + 2 * u + j, n)));
    __m256 o = skgate_sigmoid(
      _mm256_add_ps(_mm256_add_ps(skgate_load(x + 3 * u + j, n), skgate_load(h + 3 * u + j, n)), skgate_load(bias + 3 * u + j, n)));
    skgate_store(gates + j, n, i);
    skgate_store(gates + u + j, n, f);
    skgate_store(gates + 2 * u + j, n, g);
    skgate_store(gates + 3 * u + j, n, o);
    __m256 c = _mm256_fmadd_ps(f, skgate_load(carry + j, n), _mm256_mul_ps(i, g));
    skgate_store(carry_next + j, n, c);
    __m256 a = skgate_tanh(c);
    skgate_store(activated + j, n, a);
    skgate_store(hidden_next + j, n, _mm256_mul_ps(o, a));
  }
}

/// One LSTM row backward (sigmoid gates, tanh candidate and output): from `dh` and `dc` (the
/// gradients of the states after the step) the pre-activation gate gradients into `dgates`,
/// added to `bias_gradient`; `dc` becomes the gradient of the carry before, `dh` zero.
static inline SKGATE_ENTRY void skgate_lstm_backward_row(
  const float *gates, const float *carry, const float *activated, float *dh, float *dc, float *dgates,
  float *bias_gradient, long u) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (long j = 0; j < u; j += 8) {
    long n = u - j;
    __m256 i = skgate_load(gates + j, n), f = skgate_load(gates + u + j, n);
    __m256 g = skgate_load(gates + 2 * u + j, n), o = skgate_load(gates + 3 * u + j, n);
    __m256 a = skgate_load(activated + j, n), h = skgate_load(dh + j, n);
    __m256 c_next = _mm256_add_ps(skgate_load(dc + j, n), _mm256_mul_ps(_mm256_mul_ps(h, o), _mm256_fnmadd_ps(a, a, one)));
    __m256 di = _mm256_mul_ps(_mm256_mul_ps(c_next, g), _mm256_mul_ps(i, _mm256_sub_ps(one, i)));
    __m256 df = _mm256_mul_ps(_mm256_mul_ps(c_next, skgate_load(carry + j, n)), _mm256_mul_ps(f, _mm256_sub_ps(one, f)));
    __m256 dg = _mm256_mul_ps(_mm256_mul_ps(c_next, i), _mm256_fnmadd_ps(g, g, one));
    __m256 dout = _mm256_mul_ps(_mm256_mul_ps(h, a), _mm256_mul_ps(o, _mm256_sub_ps(one, o)));
    skgate_store(dgates + j, n, di);
    skgate_store(dgates + u + j, n, df);
    skgate_store(dgates + 2 * u + j, n, dg);
    skgate_store(dgates + 3 * u + j, n, dout);
    skgate_store(bias_gradient + j, n, _mm256_add_ps(skgate_load(bias_gradient + j, n), di));
    skgate_store(bias_gradient + u + j, n, _mm256_add_ps(skgate_load(bias_gradient + u + j, n), df));
    skgate_store(bias_gradient + 2 * u + j, n, _mm256_add_ps(skgate_load(bias_gradient + 2 * u + j, n), dg));
    skgate_store(bias_gradient + 3 * u + j, n, _mm256_add_ps(skgate_load(bias_gradient + 3 * u + j, n), dout));
    skgate_store(dc + j, n, _mm256_mul_ps(c_next, f));
    skgate_store(dh + j, n, _mm256_setzero_ps());
  }
}

/// One SimpleRNN row forward with tanh: `tanh(x + h + bias)` into `gates` and `hidden_next`.
static inline SKGATE_ENTRY void skgate_rnn_tanh_forward_row(
  const float *x, const float *h, const float *bias, float *gates, float *hidden_next, long u) {
  for (long j = 0; j < u; j += 8) {
    long n = u - j;
    __m256 a = skgate_tanh(_mm256_add_ps(_mm256_add_ps(skgate_load(x + j, n), skgate_load(h + j, n)), skgate_load(bias + j, n)));
    skgate_store(gates + j, n, a);
    skgate_store(hidden_next + j, n, a);
  }
}

/// One SimpleRNN row backward with tanh: `dh·(1 - a²)` into `dgates`, added to `bias_gradient`; `dh` becomes zero.
static inline SKGATE_ENTRY void skgate_rnn_tanh_backward_row(
  const float *gates, float *dh, float *dgates, float *bias_gradient, long u) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (long j = 0; j < u; j += 8) {
    long n = u - j;
    __m256 a = skgate_load(gates + j, n);
    __m256 da = _mm256_mul_ps(skgate_load(dh + j, n), _mm256_fnmadd_ps(a, a, one));
    skgate_store(dgates + j, n, da);
    skgate_store(bias_gradient + j, n, _mm256_add_ps(skgate_load(bias_gradient + j, n), da));
    skgate_store(dh + j, n, _mm256_setzero_ps());
  }
}

#undef SKGATE_TARGET
#undef SKGATE_ENTRY
#endif
#endif
