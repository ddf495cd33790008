// The float32 forward and backward passes of one (batch row, head) pair of TensorCore's attention
// (AttentionKernel) in AVX-512, for the unmasked case: `P = softmax(scale · Q Kᵀ)` row by row,
// `O = P V`, every matrix read in place at its leading dimension. Both products run on
// small_gemm.h's block kernel (no packing, no library call per pair: at the shapes of a small
// Transformer, `T × S × d` = 128 × 128 × 16, oneDNN's per-call setup costs as much as the
// arithmetic); Kᵀ is copied into a `[d, S]` scratch block first so that the first product reads
// B by rows. The softmax is the Cephes exp of gate_kernels.h, sixteen lanes at a time.
//
// The same arithmetic as AttentionKernel's general path up to float rounding: the scale
// multiplies each finished dot product (as a GEMM's alpha does), the softmax subtracts the row's
// largest scaled score, exponentiates, and multiplies by the reciprocal of the sum (the output
// rows rather than the weights when the weights are not kept).
#ifndef SWIFTKERAS_CDNNL_ATTENTION_KERNELS_H
#define SWIFTKERAS_CDNNL_ATTENTION_KERNELS_H
#if defined(__x86_64__)
#include <immintrin.h>
#include "gate_kernels.h"
#include "small_gemm.h"

#define SKATTN_TARGET __attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"), unused))

/// `target[c · rows + r] = source[r · ld + c]`: the `rows × columns` matrix at `source` (a few
/// columns: a head's keys or values) transposed. Written front to back, read a column at a time
/// (the rows' lines stay in L1): scattered stores would stall on every one.
static inline SKATTN_TARGET void skattn512_transpose(
  long rows, long columns, const float *source, long ld, float *target
) {
  for (long c = 0; c < columns; c++) {
    for (long r = 0; r < rows; r++) target[c * rows + r] = source[r * ld + c];
  }
}

/// Each of `rows` rows of `count` scores at `p` (leading dimension `ld`) becomes
/// `softmax(scale · row)`, in place; or, with `inverses`, `e^(scale · row - largest)` with the
/// reciprocal of its sum written to `inverses[row]` (the caller normalizes later).
static inline SKATTN_TARGET void skattn512_softmax_rows(
  long rows, long count, float scale, float *p, long ld, float *inverses
) {
  const __m512 scales = _mm512_set1_ps(scale);
  const __m512 lowest = _mm512_set1_ps(-87.3f);
  for (long i = 0; i < rows; i++) {
    float *row = p + i * ld;
    __m512 largest = _mm512_set1_ps(-__builtin_inff());
    // The scaled scores are formed twice (the same product each time) rather than stored.
    for (long j = 0; j < count; j += 16) {
      __m512 x = _mm512_mul_ps(skgate512_load(row + j, count - j), scales);
      largest = _mm512_mask_max_ps(largest, skgate512_mask(count - j), largest, x);
    }
    const __m512 top = _mm512_set1_ps(_mm512_reduce_max_ps(largest));
    __m512 sum = _mm512_setzero_ps();
    for (long j = 0; j < count; j += 16) {
      __m512 x = _mm512_sub_ps(_mm512_mul_ps(skgate512_load(row + j, count - j), scales), top);
      // e^x, 0 below e^-87.3 (as TensorCore's VectorExp: no subnormal results).
      __m512 e = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lowest, _CMP_GE_OQ), skgate512_exp(x));
      e = _mm512_maskz_mov_ps(skgate512_mask(count - j), e);
      sum = _mm512_add_ps(sum, e);
      skgate512_store(row + j, count - j, e);
    }
    const float reciprocal = 1.0f / _mm512_reduce_add_ps(sum);
    if (inverses) {
      inverses[i] = reciprocal;
      continue;
    }
    const __m512 inverse = _mm512_set1_ps(reciprocal);
    for (long j = 0; j < count; j += 16) {
      skgate512_store(row + j, count - j, _mm512_mul_ps(skgate512_load(row + j, count - j), inverse));
    }
  }
}

/// One pair's forward pass: `p[t × s]` (leading dimension `s`) = softmax(scale · q kᵀ),
/// `o[t × dv]` (leading dimension `ldo`) = p v, for `q` `[t, dk]`, `k` `[s, dk]`, `v` `[s, dv]`
/// at leading dimensions `ldq`, `ldk`, `ldv`. `scratch` holds `dk · s + t` floats.
/// Unless `keep_weights`, `p` is left unnormalized and the output rows are scaled instead
/// (`dv` products per row rather than `s`). Call only when `skgate_cpu_has_avx512()`.
static inline SKATTN_TARGET void skattn512_forward_pair(
  long t, long s, long dk, long dv, float scale, const float *q, long ldq, const float *k, long ldk, const float *v,
  long ldv, float *p, float *o, long ldo, int keep_weights, float *scratch
) {
  float *kt = scratch, *inverses = keep_weights ? NULL : scratch + dk * s;
  skattn512_transpose(s, dk, k, ldk, kt);
  skgemm512(t, s, 0, dk, q, ldq, kt, s, p, s);
  skattn512_softmax_rows(t, s, scale, p, s, inverses);
  skgemm512(t, dv, 0, s, p, s, v, ldv, o, ldo);
  if (keep_weights) return;
  for (long i = 0; i < t; i++) {
    const __m512 inverse = _mm512_set1_ps(inverses[i]);
    for (long c = 0; c < dv; c += 16) {
      skgate512_store(o + i * ldo + c, dv - c, _mm512_mul_ps(skgate512_load(o + i * ldo + c, dv - c), inverse));
    }
  }
}

/// The blocks of `C = Aᵀ B` for the backward pass: small_gemm.h's block reading A as stored,
/// `[k, m]` at `lda` (row `r` of Aᵀ is column `r` of A), so that no transposed copy is made.
#define SKATTN_TN_ROWS(vectors)                                                                          \
  switch (rows) {                                                                                        \
  case 6: skgemm_block(6, vectors, last, 0, k, a, 1, lda, b, ldb, c, ldc); break;                        \
  case 5: skgemm_block(5, vectors, last, 0, k, a, 1, lda, b, ldb, c, ldc); break;                        \
  case 4: skgemm_block(4, vectors, last, 0, k, a, 1, lda, b, ldb, c, ldc); break;                        \
  case 3: skgemm_block(3, vectors, last, 0, k, a, 1, lda, b, ldb, c, ldc); break;                        \
  case 2: skgemm_block(2, vectors, last, 0, k, a, 1, lda, b, ldb, c, ldc); break;                        \
  default: skgemm_block(1, vectors, last, 0, k, a, 1, lda, b, ldb, c, ldc); break;                       \
  }

/// `C[m×n] = Aᵀ·B` for A stored `[k, m]` (leading dimension `lda`), B `[k, n]`, row-major.
static inline SKATTN_TARGET void skattn512_gemm_tn(
  long m, long n, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc
) {
  for (long j = 0; j < n; j += 64) {
    long columns = n - j < 64 ? n - j : 64;
    long vectors = (columns + 15) / 16;
    long tail = columns - 16 * (vectors - 1);
    __mmask16 last = tail >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << tail) - 1);
    for (long i = 0; i < m; i += 6) {
      long rows = m - i < 6 ? m - i : 6;
      const float *ai = a + i;
      float *ci = c + i * ldc + j;
      const float *bj = b + j;
      {
        const float *a = ai, *b = bj;
        float *c = ci;
        switch (vectors) {
        case 4: SKATTN_TN_ROWS(4); break;
        case 3: SKATTN_TN_ROWS(3); break;
        case 2: SKATTN_TN_ROWS(2); break;
        default: SKATTN_TN_ROWS(1); break;
        }
      }
    }
  }
}
#undef SKATTN_TN_ROWS

/// One pair's backward pass for weights `p[t × s]` (leading dimension `s`, as the forward pass
/// kept them) and the output gradient `g[t × dv]` (leading dimension `ldg`): `dv = pᵀ g`,
/// `dS = scale · p (g vᵀ - Σ (g vᵀ)·p)` row by row, `dq = dS k`, `dk = dSᵀ q`, written at the
/// leading dimensions of `q`, `k`, `v`. `scratch` holds `t · s + dv · s` floats.
/// Call only when `skgate_cpu_has_avx512()`.
static inline SKATTN_TARGET void skattn512_backward_pair(
  long t, long s, long dk, long dv, float scale, const float *q, long ldq, const float *k, long ldk, const float *v,
  long ldv, const float *g, long ldg, const float *p, float *dq, float *dkey, float *dvalue, float *scratch
) {
  float *ds = scratch, *vt = scratch + t * s;
  // dv = pᵀ g
  skattn512_gemm_tn(s, dv, t, p, s, g, ldg, dvalue, ldv);
  // dP = g vᵀ, then the softmax's gradient times the scale.
  skattn512_transpose(s, dv, v, ldv, vt);
  skgemm512(t, s, 0, dv, g, ldg, vt, s, ds, s);
  const __m512 scales = _mm512_set1_ps(scale);
  for (long i = 0; i < t; i++) {
    float *row = ds + i * s;
    const float *weights = p + i * s;
    __m512 dots = _mm512_setzero_ps();
    for (long j = 0; j < s; j += 16) {
      dots = _mm512_fmadd_ps(skgate512_load(row + j, s - j), skgate512_load(weights + j, s - j), dots);
    }
    const __m512 dot = _mm512_set1_ps(_mm512_reduce_add_ps(dots));
    for (long j = 0; j < s; j += 16) {
      __m512 d = _mm512_mul_ps(skgate512_load(weights + j, s - j), _mm512_sub_ps(skgate512_load(row + j, s - j), dot));
      skgate512_store(row + j, s - j, _mm512_mul_ps(d, scales));
    }
  }
  // dq = dS k, dk = dSᵀ q
  skgemm512(t, dk, 0, s, ds, s, k, ldk, dq, ldq);
  skattn512_gemm_tn(s, dk, t, ds, s, q, ldq, dkey, ldk);
}
#endif
#endif
