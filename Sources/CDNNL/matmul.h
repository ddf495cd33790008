// bfloat16 matrix products on oneDNN's matmul primitive (TensorCore's GEMM.gemm(precision: .bfloat16)
// and the recurrent kernel's bfloat16 step products): `C = alpha · op(A) · op(B) + beta · C`,
// row-major, A and B in bfloat16, C in float32, products accumulated in float32. Alpha is the
// primitive's output scale, beta a sum post-op (so `beta` adds the old C in float32).
//
// A is dense bfloat16 (`[m, k]`, or `[k, m]` when transposed); B is dense bfloat16 (`[k, n]`, or
// `[n, k]` when transposed), or, for a plan made with `packed_weights`, in the primitive's own
// layout, made once with `skmm_pack_weights` straight from float32 (oneDNN's reorder rounds to
// nearest even). C has leading dimension `ldc`. Scratchpads are the caller's (or allocated per
// call), as are the streams, so one plan may run on several threads at once; each plan has its
// own engine (see convolution.h for why).
//
// Also the float32 → bfloat16 conversion of the operands: AVX512-BF16's `vcvtneps2bf16` where the
// CPU has it, else the same rounding (to nearest, ties to even; NaN stays NaN) in scalar code.
#ifndef SWIFTKERAS_CDNNL_MATMUL_H
#define SWIFTKERAS_CDNNL_MATMUL_H
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// The shape of one plan.
typedef struct skmm_shape {
  long m, n, k, ldc;
  int transpose_a, transpose_b;
  float alpha, beta;
  /// B in the primitive's preferred layout (`skmm_pack_weights`) rather than dense.
  int packed_weights;
} skmm_shape;

typedef struct skmm_plan {
  skmm_shape shape;
  dnnl_engine_t engine;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t primitive;
  dnnl_memory_desc_t src, weights, dst;
  size_t weights_bytes, scratchpad_bytes;
} skmm_plan;

/// Frees a plan (NULL is fine).
static inline __attribute__((unused)) void skmm_destroy(skmm_plan *plan) {
  if (!plan) return;
  if (plan->primitive) dnnl_primitive_destroy(plan->primitive);
  if (plan->pd) dnnl_primitive_desc_destroy(plan->pd);
  if (plan->engine) dnnl_engine_destroy(plan->engine);
  free(plan);
}

/// A plan for `shape`, or NULL when oneDNN has none (or fails).
static inline __attribute__((unused)) skmm_plan *skmm_create(const skmm_shape *s) {
  skmm_plan *plan = (skmm_plan *)calloc(1, sizeof(skmm_plan));
  if (!plan) return NULL;
  plan->shape = *s;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  int ok = 0;
  do {
    if (dnnl_engine_create(&plan->engine, dnnl_cpu, 0) != dnnl_success) break;
    dnnl_dims_t src_dims = {s->m, s->k}, weights_dims = {s->k, s->n}, dst_dims = {s->m, s->n};
    dnnl_dims_t src_strides = {s->transpose_a ? 1 : s->k, s->transpose_a ? s->m : 1};
    dnnl_dims_t weights_strides = {s->transpose_b ? 1 : s->n, s->transpose_b ? s->k : 1};
    dnnl_dims_t dst_strides = {s->ldc, 1};
    if (dnnl_memory_desc_init_by_strides(&plan->src, 2, src_dims, dnnl_bf16, src_strides) != dnnl_success) break;
    if (s->packed_weights) {
      if (dnnl_memory_desc_init_by_tag(&plan->weights, 2, weights_dims, dnnl_bf16, dnnl_format_tag_any) != dnnl_success)
        break;
    } else if (dnnl_memory_desc_init_by_strides(&plan->weights, 2, weights_dims, dnnl_bf16, weights_strides)
               != dnnl_success) {
      break;
    }
    if (dnnl_memory_desc_init_by_strides(&plan->dst, 2, dst_dims, dnnl_f32, dst_strides) != dnnl_success) break;
    dnnl_matmul_desc_t desc;
    if (dnnl_matmul_desc_init(&desc, &plan->src, &plan->weights, NULL, &plan->dst) != dnnl_success) break;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) break;
    if (dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success) break;
    if (s->alpha != 1.0f && dnnl_primitive_attr_set_output_scales(attr, 1, 0, &s->alpha) != dnnl_success) break;
    if (s->beta != 0.0f) {
      if (dnnl_post_ops_create(&post_ops) != dnnl_success) break;
      if (dnnl_post_ops_append_sum(post_ops, s->beta) != dnnl_success) break;
      if (dnnl_primitive_attr_set_post_ops(attr, post_ops) != dnnl_success) break;
    }
    if (dnnl_primitive_desc_create(&plan->pd, &desc, attr, plan->engine, NULL) != dnnl_success) break;
    if (dnnl_primitive_create(&plan->primitive, plan->pd) != dnnl_success) break;
    const dnnl_memory_desc_t *weights = dnnl_primitive_desc_query_md(plan->pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *scratchpad = dnnl_primitive_desc_query_md(plan->pd, dnnl_query_scratchpad_md, 0);
    if (!weights) break;
    plan->weights = *weights;
    plan->weights_bytes = dnnl_memory_desc_get_size(weights);
    plan->scratchpad_bytes = scratchpad ? dnnl_memory_desc_get_size(scratchpad) : 0;
    ok = 1;
  } while (0);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (!ok) {
    skmm_destroy(plan);
    return NULL;
  }
  return plan;
}

/// oneDNN's name for the implementation it chose (`brg:avx512_core_bf16`, `gemm:jit`, ...).
static inline __attribute__((unused)) const char *skmm_implementation(const skmm_plan *plan) {
  const char *name = NULL;
  if (dnnl_primitive_desc_query(plan->pd, dnnl_query_impl_info_str, 0, &name) != dnnl_success) return "unknown";
  return name;
}

/// Whether two plans read B in the same layout (so one packed copy serves both).
static inline __attribute__((unused)) int skmm_same_weights(const skmm_plan *a, const skmm_plan *b) {
  return dnnl_memory_desc_equal(&a->weights, &b->weights);
}

/// Runs a plan: `a` and `b` bfloat16 as the plan describes them, `c` float32. `scratchpad` holds
/// `scratchpad_bytes` (NULL: allocated here). Returns 0 on success.
static inline __attribute__((unused)) int skmm_execute(
  const skmm_plan *plan, const void *a, const void *b, float *c, void *scratchpad
) {
  dnnl_stream_t stream = NULL;  // one per call: a stream is not for several threads at once
  if (dnnl_stream_create(&stream, plan->engine, dnnl_stream_default_flags) != dnnl_success) return -1;
  int failed = 0;
  void *allocated = NULL;
  if (plan->scratchpad_bytes && !scratchpad) scratchpad = allocated = malloc(plan->scratchpad_bytes);
  dnnl_memory_t memories[4] = {0};
  if (plan->scratchpad_bytes && !scratchpad) failed = 1;
  const dnnl_memory_desc_t *scratchpad_md = dnnl_primitive_desc_query_md(plan->pd, dnnl_query_scratchpad_md, 0);
  if (!failed && dnnl_memory_create(&memories[0], &plan->src, plan->engine, (void *)a) != dnnl_success) failed = 1;
  if (!failed && dnnl_memory_create(&memories[1], &plan->weights, plan->engine, (void *)b) != dnnl_success) failed = 1;
  if (!failed && dnnl_memory_create(&memories[2], &plan->dst, plan->engine, c) != dnnl_success) failed = 1;
  if (!failed && plan->scratchpad_bytes
      && dnnl_memory_create(&memories[3], scratchpad_md, plan->engine, scratchpad) != dnnl_success)
    failed = 1;
  if (!failed) {
    dnnl_exec_arg_t args[4] = {
      {DNNL_ARG_SRC, memories[0]}, {DNNL_ARG_WEIGHTS, memories[1]}, {DNNL_ARG_DST, memories[2]},
      {DNNL_ARG_SCRATCHPAD, memories[3]}};
    if (dnnl_primitive_execute(plan->primitive, stream, plan->scratchpad_bytes ? 4 : 3, args) != dnnl_success)
      failed = 1;
  }
  if (!failed && dnnl_stream_wait(stream) != dnnl_success) failed = 1;
  for (int i = 0; i < 4; i++)
    if (memories[i]) dnnl_memory_destroy(memories[i]);
  dnnl_stream_destroy(stream);
  free(allocated);
  return failed ? -1 : 0;
}

/// Writes the float32 `[k, n]` matrix at `b` (leading dimension `ldb`) into `packed`
/// (`weights_bytes`) in bfloat16, in the layout of a plan made with `packed_weights`. Returns 0 on success.
static inline __attribute__((unused)) int skmm_pack_weights(const skmm_plan *plan, const float *b, long ldb, void *packed) {
  dnnl_memory_desc_t user;
  dnnl_dims_t dims = {plan->shape.k, plan->shape.n}, strides = {ldb, 1};
  if (dnnl_memory_desc_init_by_strides(&user, 2, dims, dnnl_f32, strides) != dnnl_success) return -1;
  dnnl_primitive_desc_t reorder_pd = NULL;
  dnnl_primitive_t reorder = NULL;
  dnnl_memory_t from = NULL, to = NULL;
  dnnl_stream_t stream = NULL;
  int failed = 1;
  do {
    if (dnnl_reorder_primitive_desc_create(&reorder_pd, &user, plan->engine, &plan->weights, plan->engine, NULL)
        != dnnl_success)
      break;
    if (dnnl_primitive_create(&reorder, reorder_pd) != dnnl_success) break;
    if (dnnl_memory_create(&from, &user, plan->engine, (void *)b) != dnnl_success) break;
    if (dnnl_memory_create(&to, &plan->weights, plan->engine, packed) != dnnl_success) break;
    if (dnnl_stream_create(&stream, plan->engine, dnnl_stream_default_flags) != dnnl_success) break;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    if (dnnl_primitive_execute(reorder, stream, 2, args) != dnnl_success) break;
    if (dnnl_stream_wait(stream) != dnnl_success) break;
    failed = 0;
  } while (0);
  if (stream) dnnl_stream_destroy(stream);
  if (from) dnnl_memory_destroy(from);
  if (to) dnnl_memory_destroy(to);
  if (reorder) dnnl_primitive_destroy(reorder);
  if (reorder_pd) dnnl_primitive_desc_destroy(reorder_pd);
  return failed ? -1 : 0;
}

/// `x` rounded to bfloat16 (nearest, ties to even; NaN kept a quiet NaN), its top 16 bits.
static inline __attribute__((unused, always_inline)) uint16_t skbf16_from_float(float x) {
  uint32_t bits;
  memcpy(&bits, &x, 4);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return (uint16_t)(bits >> 16);
}

/// `count` floats to bfloat16, in scalar code (vectorizable: no branch but the NaN select).
static inline __attribute__((unused)) void skbf16_convert_scalar(const float *source, uint16_t *target, long count) {
  for (long i = 0; i < count; i++) target[i] = skbf16_from_float(source[i]);
}

#if defined(__x86_64__)
#define SKBF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"), unused))
/// `count` floats to bfloat16 with `vcvtneps2bf16` (AVX512-BF16; the caller checks the CPU has it).
/// Like every AVX512-BF16 instruction it reads subnormal floats as zero.
static inline SKBF16_TARGET void skbf16_convert_avx512(const float *source, uint16_t *target, long count) {
  long i = 0;
  for (; i + 32 <= count; i += 32) {
    __m512bh pair = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(source + i + 16), _mm512_loadu_ps(source + i));
    _mm512_storeu_si512((void *)(target + i), (__m512i)pair);
  }
  for (; i < count; i += 16) {
    long left = count - i;
    __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    __m256bh half = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, source + i));
    _mm256_mask_storeu_epi16((void *)(target + i), mask, (__m256i)half);
  }
}
#endif

/// The `rows × columns` float32 matrix at `source` (leading dimension `ld`) into the dense
/// bfloat16 matrix at `target` (leading dimension `columns`), with `vcvtneps2bf16` when `native`.
static inline __attribute__((unused)) void skbf16_convert_rows(
  const float *source, long ld, long rows, long columns, uint16_t *target, int native
) {
  for (long r = 0; r < rows; r++) {
#if defined(__x86_64__)
    if (native) {
      skbf16_convert_avx512(source + r * ld, target + r * columns, columns);
      continue;
    }
#endif
    skbf16_convert_scalar(source + r * ld, target + r * columns, columns);
  }
}

/// `count` bfloat16 values as float32 (exact: the bfloat16 bits become the top half).
static inline __attribute__((unused)) void skbf16_expand(const uint16_t *__restrict source, float *__restrict target, long count) {
  uint32_t *bits = (uint32_t *)target;
  for (long i = 0; i < count; i++) bits[i] = (uint32_t)source[i] << 16;
}

/// `count` floats rounded to bfloat16 (nearest, ties to even; NaN kept a quiet NaN; subnormals
/// rounded like any value), written as float32: TensorCore's `BFloat16.round` over an array, in a
/// loop clang vectorizes.
static inline __attribute__((unused)) void skbf16_round(const float *__restrict source, float *__restrict target, long count) {
  const uint32_t *from = (const uint32_t *)source;
  uint32_t *to = (uint32_t *)target;
  for (long i = 0; i < count; i++) {
    uint32_t bits = from[i];
    uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
    uint32_t nan = (bits | 0x00400000u) & 0xFFFF0000u;
    to[i] = (bits & 0x7FFFFFFFu) > 0x7F800000u ? nan : rounded;
  }
}

/// `x` rounded to bfloat16 as `skbf16_round` does, as a float.
static inline __attribute__((unused, always_inline)) float skbf16_rounded(float x) {
  uint32_t bits;
  memcpy(&bits, &x, 4);
  uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
  uint32_t nan = (bits | 0x00400000u) & 0xFFFF0000u;
  bits = (bits & 0x7FFFFFFFu) > 0x7F800000u ? nan : rounded;
  memcpy(&x, &bits, 4);
  return x;
}

/// Keras' bfloat16 `x·W + b` after the float32 sums of the product: `out[r][f] = round(round(product[r][f])
/// + bias[f])`, then `max(·, 0)` when `relu`, over `rows × n` values in one pass.
static inline __attribute__((unused)) void skbf16_bias_round(
  const float *__restrict product, const float *__restrict bias, float *__restrict out, long rows, long n, int relu
) {
  for (long r = 0; r < rows; r++) {
    const float *p = product + r * n;
    float *o = out + r * n;
    if (relu) {
      for (long f = 0; f < n; f++) {
        float z = skbf16_rounded(skbf16_rounded(p[f]) + bias[f]);
        o[f] = z > 0 ? z : 0;
      }
    } else {
      for (long f = 0; f < n; f++) o[f] = skbf16_rounded(skbf16_rounded(p[f]) + bias[f]);
    }
  }
}
#endif
