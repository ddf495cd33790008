// Gate math of the fused recurrent kernel (TensorCore's RecurrentKernel) in AVX2 + FMA, eight
// floats per instruction (`skgate_*`), and in AVX-512, sixteen (`skgate512_*`): one body,
// gate_kernels_body.h, included once per instruction set with the same operations in the same
// order, so both give the same bits. Swift builds for baseline x86-64 (SSE2) and the package cannot
// pass -mavx2 (unsafeFlags), so these are `static inline` functions with a per-function target:
// the Swift compiler emits them into TensorCore, which calls them only when
// `skgate_cpu_has_avx2_fma()` (or `skgate_cpu_has_avx512()`) says the CPU and the OS support them.
// Sixteen lanes pay on AMD Zen 4 too, whose 512-bit operations take two cycles: the gate math
// is bound by how many operations of its long dependency chains the scheduler holds, and a
// 512-bit operation is one entry; masked tails (`u` not a multiple of the lanes) use AVX-512's
// mask registers, which are fast where AVX2's vmaskmov is slow.
//
// The formulas are TensorCore's FastMath ones (Cephes exp, Eigen's rational tanh), the same
// operations in the same order except that multiply-adds are fused. `u` is the number of units;
// a row's gates are contiguous, LSTM gates i, f, c, o each `u` wide.
#ifndef SWIFTKERAS_CDNNL_GATE_KERNELS_H
#define SWIFTKERAS_CDNNL_GATE_KERNELS_H
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

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

/// 1 when the CPU has AVX-512 F, DQ, BW and VL (and AVX2 + FMA) and the OS saves the ZMM and mask registers.
static inline __attribute__((unused)) int skgate_cpu_has_avx512(void) {
  if (!skgate_cpu_has_avx2_fma()) return 0;
  unsigned a, b, c, d;
  unsigned low, high;
  __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  if ((low & 0xE6) != 0xE6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const unsigned wanted = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
  return (b & wanted) == wanted;
}

// MARK: AVX2 + FMA, eight lanes

#define SK_TARGET __attribute__((target("avx2,fma"), always_inline, unused))
#define SK_ENTRY __attribute__((target("avx2,fma"), unused))
#define SKV __m256
#define SKV_I __m256i
#define SK_LANES 8
#define SK_NAME(name) skgate_##name
#define SK_add_ps _mm256_add_ps
#define SK_sub_ps _mm256_sub_ps
#define SK_mul_ps _mm256_mul_ps
#define SK_div_ps _mm256_div_ps
#define SK_fmadd_ps _mm256_fmadd_ps
#define SK_fnmadd_ps _mm256_fnmadd_ps
#define SK_max_ps _mm256_max_ps
#define SK_min_ps _mm256_min_ps
#define SK_set1_ps _mm256_set1_ps
#define SK_setzero_ps _mm256_setzero_ps
#define SK_CASTPS_SI _mm256_castps_si256
#define SK_CASTSI_PS _mm256_castsi256_ps
#define SK_ADD_EPI32 _mm256_add_epi32
#define SK_SUB_EPI32 _mm256_sub_epi32
#define SK_SET1_EPI32 _mm256_set1_epi32
#define SK_SLLI_EPI32 _mm256_slli_epi32

/// Lanes below `count` (0...8) set.
static inline SK_TARGET __m256i skgate_mask(long count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline SK_TARGET __m256 skgate_load(const float *p, long remaining) {
  return remaining >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, skgate_mask(remaining));
}

static inline SK_TARGET void skgate_store(float *p, long remaining, __m256 v) {
  if (remaining >= 8) _mm256_storeu_ps(p, v);
  else _mm256_maskstore_ps(p, skgate_mask(remaining), v);
}

/// `x` where |x| < 0.0004, else `rational` (tanh's small-argument branch).
static inline SK_TARGET __m256 skgate_select_tiny(__m256 x, __m256 rational) {
  __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  return _mm256_blendv_ps(rational, x, _mm256_cmp_ps(magnitude, _mm256_set1_ps(0.0004f), _CMP_LT_OQ));
}
#define SK_SELECT_TINY skgate_select_tiny

#include "gate_kernels_body.h"
#include "gate_kernels_undef.h"

// MARK: AVX-512, sixteen lanes

#define SK_TARGET __attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"), always_inline, unused))
#define SK_ENTRY __attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"), unused))
#define SKV __m512
#define SKV_I __m512i
#define SK_LANES 16
#define SK_NAME(name) skgate512_##name
#define SK_add_ps _mm512_add_ps
#define SK_sub_ps _mm512_sub_ps
#define SK_mul_ps _mm512_mul_ps
#define SK_div_ps _mm512_div_ps
#define SK_fmadd_ps _mm512_fmadd_ps
#define SK_fnmadd_ps _mm512_fnmadd_ps
#define SK_max_ps _mm512_max_ps
#define SK_min_ps _mm512_min_ps
#define SK_set1_ps _mm512_set1_ps
#define SK_setzero_ps _mm512_setzero_ps
#define SK_CASTPS_SI _mm512_castps_si512
#define SK_CASTSI_PS _mm512_castsi512_ps
#define SK_ADD_EPI32 _mm512_add_epi32
#define SK_SUB_EPI32 _mm512_sub_epi32
#define SK_SET1_EPI32 _mm512_set1_epi32
#define SK_SLLI_EPI32 _mm512_slli_epi32

/// Lanes below `count` (0...16) set.
static inline SK_TARGET __mmask16 skgate512_mask(long count) {
  return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1);
}

static inline SK_TARGET __m512 skgate512_load(const float *p, long remaining) {
  return remaining >= 16 ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(skgate512_mask(remaining), p);
}

static inline SK_TARGET void skgate512_store(float *p, long remaining, __m512 v) {
  if (remaining >= 16) _mm512_storeu_ps(p, v);
  else _mm512_mask_storeu_ps(p, skgate512_mask(remaining), v);
}

/// `x` where |x| < 0.0004, else `rational` (tanh's small-argument branch).
static inline SK_TARGET __m512 skgate512_select_tiny(__m512 x, __m512 rational) {
  __mmask16 tiny = _mm512_cmp_ps_mask(_mm512_abs_ps(x), _mm512_set1_ps(0.0004f), _CMP_LT_OQ);
  return _mm512_mask_blend_ps(tiny, rational, x);
}
#define SK_SELECT_TINY skgate512_select_tiny

#include "gate_kernels_body.h"
#include "gate_kernels_undef.h"

#endif
#endif
