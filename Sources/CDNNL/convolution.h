// 2-D convolution on oneDNN's convolution primitives (TensorCore's Convolution2D): forward (bias
// and ReLU fused), backward data and backward weights, on Keras' layouts as they are: images NHWC
// (`[N, H, W, C]`), kernel `[kh, kw, C/groups, F]` (oneDNN's hwio, or hwigo with groups), bias `[F]`.
// The primitive picks its own weights layout (`format_tag_any`); the kernel is reordered into it
// (a few KB; or given already reordered, `skconv_transform_weights`) and the weight gradient
// reordered back. Working memory (scratchpad, reordered kernel, a Winograd plan's blocked images
// and output) is the caller's (user mode), and streams are made per call, so one plan may run on
// several threads at once.
//
//
// With `bfloat16` set (Keras' mixed_bfloat16 arithmetic, on CPUs with AVX512-BF16 or AMX) the images,
// output gradients and kernel are bfloat16: the forward writes a bfloat16 output (its float32 sum,
// plus bias, after ReLU, rounded to nearest even once), backward data a float32 image gradient and
// backward weights a float32 kernel gradient (for the float32 master weights); the bias stays float32.
// The kernel is still given in float32 (Keras' layout): its reorder converts it.
//
// Swift imports oneDNN's fixed-size arrays as tuples and its memory descriptors as large structs;
// the plain functions here keep TensorCore's side to pointers and integers.
#ifndef SWIFTKERAS_CDNNL_CONVOLUTION_H
#define SWIFTKERAS_CDNNL_CONVOLUTION_H
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "matmul.h"  // skbf16_from_float

/// The shapes of one convolution. Pads are the zero rows and columns before (`top`, `left`) and
/// after (`bottom`, `right`) the image; dilations count the pixels between taps (1: none).
typedef struct skconv_shape {
  long images, height, width, channels, filters, kernel_height, kernel_width;
  long stride_height, stride_width, dilation_height, dilation_width;
  long pad_top, pad_left, pad_bottom, pad_right, output_height, output_width, groups;
  int bias, relu;
  /// Whether the plan may use oneDNN's Winograd algorithm (F(4×4, 3×3)) where it has one: float32
  /// 3×3 kernels with stride 1, no dilation and channels and filters multiples of 16, forward and
  /// backward weights (see `skconv_create`).
  int winograd;
  /// bfloat16 images, output (forward) and output gradients (backward), and kernel (see above).
  int bfloat16;
} skconv_shape;

/// What a plan computes.
typedef enum skconv_kind { skconv_forward_inference, skconv_forward_training, skconv_backward_data, skconv_backward_weights } skconv_kind;

/// A primitive with what running it needs: the kernel's reorder into (or, for backward weights,
/// out of) the primitive's weights layout.
typedef struct skconv_plan {
  skconv_kind kind;
  // Each plan has its own engine: a `static` inside these inline functions would be one variable
  // per object file that inlines them (Swift emits imported C into each of its own), and oneDNN
  // refuses memory of one engine given to a primitive of another.
  dnnl_engine_t engine;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t primitive;
  dnnl_memory_desc_t user_weights, weights;  // Keras' layout, the primitive's
  dnnl_primitive_t weights_reorder;          // NULL when the layouts are the same
  size_t weights_bytes, scratchpad_bytes;
  // A Winograd plan's images and output (or output gradient) in the primitive's blocked layout:
  // the NHWC tensors are reordered into (the output out of) buffers of these sizes on every call.
  dnnl_memory_desc_t user_src, src, user_dst, dst;
  dnnl_primitive_t src_reorder, dst_reorder;  // NULL unless Winograd
  size_t src_bytes, dst_bytes;
} skconv_plan;

/// The operation descriptor of `kind` on `shape` computed by `algorithm`, weights in `weights`
/// (any layout or Keras'), images and output in `layout` (`dnnl_nhwc` or `dnnl_format_tag_any`).
static inline __attribute__((unused)) dnnl_status_t skconv_describe(
  const skconv_shape *s, skconv_kind kind, const dnnl_memory_desc_t *weights, dnnl_alg_kind_t algorithm,
  dnnl_format_tag_t layout, dnnl_convolution_desc_t *desc
) {
  dnnl_memory_desc_t src, dst, bias;
  dnnl_dims_t src_dims = {s->images, s->channels, s->height, s->width};
  dnnl_dims_t dst_dims = {s->images, s->filters, s->output_height, s->output_width};
  dnnl_dims_t bias_dims = {s->filters};
  dnnl_dims_t strides = {s->stride_height, s->stride_width};
  dnnl_dims_t dilates = {s->dilation_height - 1, s->dilation_width - 1};
  dnnl_dims_t pad_l = {s->pad_top, s->pad_left}, pad_r = {s->pad_bottom, s->pad_right};
  dnnl_status_t status;
  // bfloat16: the images (forward, backward weights) and the output or its gradient; backward
  // data's image gradient stays float32.
  dnnl_data_type_t low = s->bfloat16 ? dnnl_bf16 : dnnl_f32;
  dnnl_data_type_t src_type = kind == skconv_backward_data ? dnnl_f32 : low;
  if ((status = dnnl_memory_desc_init_by_tag(&src, 4, src_dims, src_type, layout)) != dnnl_success) return status;
  if ((status = dnnl_memory_desc_init_by_tag(&dst, 4, dst_dims, low, layout)) != dnnl_success) return status;
  if ((status = dnnl_memory_desc_init_by_tag(&bias, 1, bias_dims, dnnl_f32, dnnl_x)) != dnnl_success) return status;
  switch (kind) {
  case skconv_forward_inference:
  case skconv_forward_training:
    return dnnl_dilated_convolution_forward_desc_init(
      desc, kind == skconv_forward_training ? dnnl_forward_training : dnnl_forward_inference, algorithm,
      &src, weights, s->bias ? &bias : NULL, &dst, strides, dilates, pad_l, pad_r);
  case skconv_backward_data:
    return dnnl_dilated_convolution_backward_data_desc_init(
      desc, algorithm, &src, weights, &dst, strides, dilates, pad_l, pad_r);
  case skconv_backward_weights:
    return dnnl_dilated_convolution_backward_weights_desc_init(
      desc, algorithm, &src, weights, s->bias ? &bias : NULL, &dst, strides, dilates, pad_l, pad_r);
  }
  return dnnl_invalid_arguments;
}

/// Frees a plan (NULL is fine).
static inline __attribute__((unused)) void skconv_destroy(skconv_plan *plan) {
  if (!plan) return;
  if (plan->src_reorder) dnnl_primitive_destroy(plan->src_reorder);
  if (plan->dst_reorder) dnnl_primitive_destroy(plan->dst_reorder);
  if (plan->weights_reorder) dnnl_primitive_destroy(plan->weights_reorder);
  if (plan->primitive) dnnl_primitive_destroy(plan->primitive);
  if (plan->pd) dnnl_primitive_desc_destroy(plan->pd);
  if (plan->engine) dnnl_engine_destroy(plan->engine);
  free(plan);
}

/// A reorder primitive from `from` to `to` into `*reorder`; 0 on success.
static inline __attribute__((unused)) int skconv_reorder(
  dnnl_engine_t engine, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *reorder
) {
  dnnl_primitive_desc_t reorder_pd = NULL;
  if (dnnl_reorder_primitive_desc_create(&reorder_pd, from, engine, to, engine, NULL) != dnnl_success) return -1;
  dnnl_status_t status = dnnl_primitive_create(reorder, reorder_pd);
  dnnl_primitive_desc_destroy(reorder_pd);
  return status == dnnl_success ? 0 : -1;
}

/// Fills `plan` (its engine made) with `kind` on `s` computed by `algorithm`; images and output in
/// `layout` (`dnnl_nhwc`, or `dnnl_format_tag_any` with reorders from and to NHWC). 0 on success;
/// a failed plan is left for `skconv_destroy`.
static inline __attribute__((unused)) int skconv_build(
  skconv_plan *plan, const skconv_shape *s, skconv_kind kind, dnnl_alg_kind_t algorithm, dnnl_format_tag_t layout
) {
  dnnl_engine_t engine = plan->engine;
  dnnl_primitive_desc_t hint = NULL;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_memory_desc_t any;
  dnnl_convolution_desc_t desc;
  int ok = 0;
  int grouped = s->groups > 1;
  dnnl_dims_t weight_dims = {s->filters, s->channels, s->kernel_height, s->kernel_width};
  dnnl_dims_t group_dims = {s->groups, s->filters / s->groups, s->channels / s->groups, s->kernel_height, s->kernel_width};
  do {
    if (dnnl_memory_desc_init_by_tag(
          &plan->user_weights, grouped ? 5 : 4, grouped ? group_dims : weight_dims, dnnl_f32, grouped ? dnnl_hwigo : dnnl_hwio)
        != dnnl_success)
      break;
    // The primitive's weights: bfloat16 under `bfloat16`, except the kernel gradient (float32).
    dnnl_data_type_t weights_type = s->bfloat16 && kind != skconv_backward_weights ? dnnl_bf16 : dnnl_f32;
    if (dnnl_memory_desc_init_by_tag(
          &any, grouped ? 5 : 4, grouped ? group_dims : weight_dims, weights_type, dnnl_format_tag_any) != dnnl_success)
      break;
    if (kind == skconv_backward_data || kind == skconv_backward_weights) {  // backward needs the forward as a hint
      dnnl_memory_desc_t forward_any;
      if (dnnl_memory_desc_init_by_tag(
            &forward_any, grouped ? 5 : 4, grouped ? group_dims : weight_dims, s->bfloat16 ? dnnl_bf16 : dnnl_f32,
            dnnl_format_tag_any) != dnnl_success)
        break;
      if (skconv_describe(s, skconv_forward_training, &forward_any, algorithm, layout, &desc) != dnnl_success) break;
      if (dnnl_primitive_desc_create(&hint, &desc, NULL, engine, NULL) != dnnl_success) break;
    }
    if (skconv_describe(s, kind, &any, algorithm, layout, &desc) != dnnl_success) break;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success) break;
    if (dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success) break;
    if (s->relu && kind != skconv_backward_data && kind != skconv_backward_weights) {
      if (dnnl_post_ops_create(&post_ops) != dnnl_success) break;
      if (dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f) != dnnl_success) break;
      if (dnnl_primitive_attr_set_post_ops(attr, post_ops) != dnnl_success) break;
    }
    if (dnnl_primitive_desc_create(&plan->pd, &desc, attr, engine, hint) != dnnl_success) break;
    if (dnnl_primitive_create(&plan->primitive, plan->pd) != dnnl_success) break;
    const dnnl_memory_desc_t *chosen = dnnl_primitive_desc_query_md(
      plan->pd, kind == skconv_backward_weights ? dnnl_query_diff_weights_md : dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *scratchpad = dnnl_primitive_desc_query_md(plan->pd, dnnl_query_scratchpad_md, 0);
    if (!chosen) break;
    plan->weights = *chosen;
    plan->weights_bytes = dnnl_memory_desc_get_size(chosen);
    plan->scratchpad_bytes = scratchpad ? dnnl_memory_desc_get_size(scratchpad) : 0;
    if (!dnnl_memory_desc_equal(&plan->user_weights, &plan->weights)) {
      int backward = kind == skconv_backward_weights;
      if (skconv_reorder(engine, backward ? &plan->weights : &plan->user_weights,
                         backward ? &plan->user_weights : &plan->weights, &plan->weights_reorder) != 0)
        break;
    }
    if (layout != dnnl_nhwc) {
      // Images (forward, backward weights) and output (forward: out of the primitive's layout) or
      // output gradient (backward weights: into it).
      const dnnl_memory_desc_t *src = dnnl_primitive_desc_query_md(plan->pd, dnnl_query_src_md, 0);
      const dnnl_memory_desc_t *dst = dnnl_primitive_desc_query_md(
        plan->pd, kind == skconv_backward_weights ? dnnl_query_diff_dst_md : dnnl_query_dst_md, 0);
      if (!src || !dst || kind == skconv_backward_data) break;
      dnnl_dims_t src_dims = {s->images, s->channels, s->height, s->width};
      dnnl_dims_t dst_dims = {s->images, s->filters, s->output_height, s->output_width};
      if (dnnl_memory_desc_init_by_tag(&plan->user_src, 4, src_dims, dnnl_f32, dnnl_nhwc) != dnnl_success) break;
      if (dnnl_memory_desc_init_by_tag(&plan->user_dst, 4, dst_dims, dnnl_f32, dnnl_nhwc) != dnnl_success) break;
      plan->src = *src;
      plan->dst = *dst;
      plan->src_bytes = dnnl_memory_desc_get_size(src);
      plan->dst_bytes = dnnl_memory_desc_get_size(dst);
      if (skconv_reorder(engine, &plan->user_src, &plan->src, &plan->src_reorder) != 0) break;
      if (kind == skconv_backward_weights) {
        if (skconv_reorder(engine, &plan->user_dst, &plan->dst, &plan->dst_reorder) != 0) break;
      } else if (skconv_reorder(engine, &plan->dst, &plan->user_dst, &plan->dst_reorder) != 0) {
        break;
      }
    }
    ok = 1;
  } while (0);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (hint) dnnl_primitive_desc_destroy(hint);
  return ok ? 0 : -1;
}

/// A plan for `kind` on `shape`, or NULL when oneDNN has none (or fails).
///
/// Where `shape->winograd` allows it, a float32 forward or weight gradient of a 3×3, stride-1
/// kernel takes oneDNN's Winograd F(4×4, 3×3) (`jit_wino_4x3`) when oneDNN has it for the shape:
/// a quarter of the direct convolution's multiplications plus transforms. On the convnet benchmark's
/// 13×13×32 → 64 layer (batch 128, both threads, AVX-512) it measured 2.0-2.1x faster by itself
/// (forward 1.22 ms against 2.48-2.58, weight gradient 1.28 against 2.71-2.89), and in training
/// 1.50 and 1.76 ms against 2.96 and 3.40 plus 0.2-0.4 ms per reorder of images and output
/// between NHWC and its blocked layout. Its backward data was not faster (2.43 against 2.56), so
/// that stays direct. Its kernel transform costs about 0.55 ms, which is why a plan keeps the last
/// transformed kernel for the next batch (TensorCore's `ConvolutionPrimitive.Plan`).
///
/// Winograd loses where there is little work or its 4×4 tiles are mostly padding, so it is kept to
/// at least 32 channels and filters, outputs of at least 8×8 and 1,024 output pixels over the batch.
/// Forward, one thread pair, ms direct against Winograd (2026-12-07, quiet): 1 image 13×13×32 → 64
/// 0.022 against 0.037; 32 images 0.63 against 0.33; 1 image 56×56×64 → 64 0.92 against 0.51; 8
/// images 28×28×32 → 32 0.44 against 0.27; 1 image 7×7×256 → 256 0.13 against 0.59; 16 channels
/// 32×32 → 16, 1 image, 0.022 against 0.10, and 8 images 64×64×16 → 32 1.25 against 1.51.
static inline __attribute__((unused)) skconv_plan *skconv_create(const skconv_shape *s, skconv_kind kind) {
  int winograd = s->winograd && !s->bfloat16 && kind != skconv_backward_data && s->groups == 1
                 && s->kernel_height == 3 && s->kernel_width == 3 && s->stride_height == 1 && s->stride_width == 1
                 && s->dilation_height == 1 && s->dilation_width == 1 && s->channels % 16 == 0 && s->filters % 16 == 0
                 && s->channels >= 32 && s->filters >= 32 && s->output_height >= 8 && s->output_width >= 8
                 && s->images * s->output_height * s->output_width >= 1024;
  for (int attempt = winograd ? 0 : 1; attempt < 2; attempt++) {
    skconv_plan *plan = (skconv_plan *)calloc(1, sizeof(skconv_plan));
    if (!plan) return NULL;
    plan->kind = kind;
    int built = dnnl_engine_create(&plan->engine, dnnl_cpu, 0) == dnnl_success
                && (attempt == 0 ? skconv_build(plan, s, kind, dnnl_convolution_winograd, dnnl_format_tag_any)
                                 : skconv_build(plan, s, kind, dnnl_convolution_direct, dnnl_nhwc)) == 0;
    if (built) return plan;
    skconv_destroy(plan);
  }
  return NULL;
}


/// oneDNN's name for the implementation it chose (`jit:avx512_core`, `gemm:jit`, ...).
static inline __attribute__((unused)) const char *skconv_implementation(const skconv_plan *plan) {
  const char *name = NULL;
  if (dnnl_primitive_desc_query(plan->pd, dnnl_query_impl_info_str, 0, &name) != dnnl_success) return "unknown";
  return name;
}

/// A memory object of the plan's engine over `data` described by `md`, or (below) by the plan's
/// descriptor `what` number `index`.
static inline __attribute__((unused)) dnnl_memory_t skconv_memory(
  const skconv_plan *plan, const dnnl_memory_desc_t *md, const void *data
) {
  dnnl_memory_t memory = NULL;
  if (dnnl_memory_create(&memory, md, plan->engine, (void *)data) != dnnl_success) return NULL;
  return memory;
}

static inline __attribute__((unused)) dnnl_memory_t skconv_query_memory(
  const skconv_plan *plan, dnnl_query_t what, int index, const void *data
) {
  const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(plan->pd, what, index);
  return md ? skconv_memory(plan, md, data) : NULL;
}

/// Runs `reorder` from `source` in `from` into `target` in `to` on `stream`; 0 on success.
static inline __attribute__((unused)) int skconv_run_reorder(
  const skconv_plan *plan, dnnl_stream_t stream, dnnl_primitive_t reorder, const dnnl_memory_desc_t *from,
  const void *source, const dnnl_memory_desc_t *to, void *target
) {
  dnnl_memory_t f = skconv_memory(plan, from, source), t = skconv_memory(plan, to, target);
  dnnl_exec_arg_t reorder_args[2] = {{DNNL_ARG_FROM, f}, {DNNL_ARG_TO, t}};
  int failed = !f || !t || dnnl_primitive_execute(reorder, stream, 2, reorder_args) != dnnl_success;
  if (f) dnnl_memory_destroy(f);
  if (t) dnnl_memory_destroy(t);
  return failed ? -1 : 0;
}

static inline __attribute__((unused)) size_t skconv_round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

/// Bytes of the working memory `skconv_execute` needs (64-byte aligned): the scratchpad, the
/// kernel (or its gradient) in the primitive's layout, and a Winograd plan's images and output.
static inline __attribute__((unused)) size_t skconv_workspace_bytes(const skconv_plan *plan) {
  return skconv_round64(plan->scratchpad_bytes) + (plan->weights_reorder ? skconv_round64(plan->weights_bytes) : 0)
         + (plan->src_reorder ? skconv_round64(plan->src_bytes) + skconv_round64(plan->dst_bytes) : 0);
}

/// Bytes of the kernel in the primitive's layout (what `skconv_transform_weights` writes); 0 when
/// that is Keras' layout (forward and backward data plans only).
static inline __attribute__((unused)) size_t skconv_transformed_weights_bytes(const skconv_plan *plan) {
  return plan->kind != skconv_backward_weights && plan->weights_reorder ? plan->weights_bytes : 0;
}

/// The kernel `kernel` (Keras' layout, float32) in the primitive's layout into `target`
/// (`skconv_transformed_weights_bytes`, 64-byte aligned); 0 on success. A forward or backward data
/// plan given it with `weights_ready` skips that step (a Winograd kernel's transform is not cheap).
static inline __attribute__((unused)) int skconv_transform_weights(const skconv_plan *plan, const float *kernel, void *target) {
  if (!skconv_transformed_weights_bytes(plan)) return -1;
  dnnl_stream_t stream = NULL;
  if (dnnl_stream_create(&stream, plan->engine, dnnl_stream_default_flags) != dnnl_success) return -1;
  int failed = skconv_run_reorder(plan, stream, plan->weights_reorder, &plan->user_weights, kernel, &plan->weights, target);
  if (!failed && dnnl_stream_wait(stream) != dnnl_success) failed = 1;
  dnnl_stream_destroy(stream);
  return failed ? -1 : 0;
}

/// Runs a plan. Forward: `a` images, `b` kernel, `c` bias (or NULL), `out` the output.
/// Backward data: `a` output gradient, `b` kernel, `out` the images' gradient.
/// Backward weights: `a` images, `b` output gradient, `out` the kernel's gradient, `bias_out` the
/// bias's (or NULL). Images, output and output gradient are bfloat16 in a `bfloat16` plan (except
/// backward data's `out`), the kernel, its gradient and the bias float32. With `weights_ready` the
/// kernel is already in the primitive's layout (`skconv_transform_weights`). `workspace` is
/// `skconv_workspace_bytes` of 64-byte aligned memory (the caller's, so that it can be reused).
/// Returns 0 on success.
static inline __attribute__((unused)) int skconv_execute(
  const skconv_plan *plan, const void *a, const void *b, const float *c, void *out, float *bias_out, void *workspace,
  int weights_ready
) {
  dnnl_stream_t stream = NULL;  // one per call: a stream is not for several threads at once
  if (dnnl_stream_create(&stream, plan->engine, dnnl_stream_default_flags) != dnnl_success) return -1;
  int failed = 0;
  dnnl_memory_t memories[8] = {0};
  int count = 0;
  char *next = (char *)workspace;
  void *scratchpad_buffer = next;
  next += skconv_round64(plan->scratchpad_bytes);
  void *weights_buffer = plan->weights_reorder ? next : NULL;
  if (plan->weights_reorder) next += skconv_round64(plan->weights_bytes);
  void *src_buffer = plan->src_reorder ? next : NULL;
  void *dst_buffer = plan->src_reorder ? next + skconv_round64(plan->src_bytes) : NULL;
  dnnl_exec_arg_t args[6];
  int nargs = 0;
#define SKCONV_ARG(arg_kind, made)                    \
  do {                                                \
    dnnl_memory_t m_ = (made);                        \
    if (!m_) { failed = 1; break; }                   \
    memories[count++] = m_;                           \
    args[nargs].arg = (arg_kind);                     \
    args[nargs++].memory = m_;                        \
  } while (0)
  do {
    if (plan->scratchpad_bytes) {
      SKCONV_ARG(DNNL_ARG_SCRATCHPAD, skconv_query_memory(plan, dnnl_query_scratchpad_md, 0, scratchpad_buffer));
      if (failed) break;
    }
    if (src_buffer) {  // Winograd: the images into the primitive's layout
      if (skconv_run_reorder(plan, stream, plan->src_reorder, &plan->user_src, a, &plan->src, src_buffer) != 0) {
        failed = 1;
        break;
      }
      a = src_buffer;
      // backward weights: the output gradient into the primitive's layout too
      if (plan->kind == skconv_backward_weights) {
        if (skconv_run_reorder(plan, stream, plan->dst_reorder, &plan->user_dst, b, &plan->dst, dst_buffer) != 0) {
          failed = 1;
          break;
        }
        b = dst_buffer;
      }
    }
    if (plan->kind == skconv_backward_weights) {
      SKCONV_ARG(DNNL_ARG_SRC, skconv_query_memory(plan, dnnl_query_src_md, 0, a));
      SKCONV_ARG(DNNL_ARG_DIFF_DST, skconv_query_memory(plan, dnnl_query_diff_dst_md, 0, b));
      SKCONV_ARG(DNNL_ARG_DIFF_WEIGHTS, skconv_memory(plan, &plan->weights, weights_buffer ? weights_buffer : out));
      // The bias gradient's descriptor is diff_weights index 1.
      if (bias_out) SKCONV_ARG(DNNL_ARG_DIFF_BIAS, skconv_query_memory(plan, dnnl_query_diff_weights_md, 1, bias_out));
      if (failed) break;
      if (dnnl_primitive_execute(plan->primitive, stream, nargs, args) != dnnl_success) { failed = 1; break; }
      if (weights_buffer
          && skconv_run_reorder(plan, stream, plan->weights_reorder, &plan->weights, weights_buffer, &plan->user_weights, out)
               != 0) {
        failed = 1;
        break;
      }
    } else {
      const void *weights = b;
      if (weights_buffer && !weights_ready) {
        if (skconv_run_reorder(plan, stream, plan->weights_reorder, &plan->user_weights, b, &plan->weights, weights_buffer)
            != 0) {
          failed = 1;
          break;
        }
        weights = weights_buffer;
      }
      SKCONV_ARG(DNNL_ARG_WEIGHTS, skconv_memory(plan, &plan->weights, weights));
      if (plan->kind == skconv_backward_data) {
        SKCONV_ARG(DNNL_ARG_DIFF_DST, skconv_query_memory(plan, dnnl_query_diff_dst_md, 0, a));
        SKCONV_ARG(DNNL_ARG_DIFF_SRC, skconv_query_memory(plan, dnnl_query_diff_src_md, 0, out));
      } else {
        SKCONV_ARG(DNNL_ARG_SRC, skconv_query_memory(plan, dnnl_query_src_md, 0, a));
        // The bias's descriptor is weights index 1.
        if (c) SKCONV_ARG(DNNL_ARG_BIAS, skconv_query_memory(plan, dnnl_query_weights_md, 1, c));
        SKCONV_ARG(DNNL_ARG_DST, skconv_query_memory(plan, dnnl_query_dst_md, 0, dst_buffer ? dst_buffer : out));
      }
      if (failed) break;
      if (dnnl_primitive_execute(plan->primitive, stream, nargs, args) != dnnl_success) { failed = 1; break; }
      if (dst_buffer
          && skconv_run_reorder(plan, stream, plan->dst_reorder, &plan->dst, dst_buffer, &plan->user_dst, out) != 0) {
        failed = 1;
        break;
      }
    }
  } while (0);
#undef SKCONV_ARG
  if (!failed && dnnl_stream_wait(stream) != dnnl_success) failed = 1;
  for (int i = 0; i < count; i++) if (memories[i]) dnnl_memory_destroy(memories[i]);
  dnnl_stream_destroy(stream);
  return failed ? -1 : 0;
}

/// The gradient of a convolution's output `[rows, filters]` after its ReLU (given the ReLU's output
/// `output`, or none when NULL) into `masked` (unused when `output` is NULL), and the sum of that
/// gradient's rows into `sums` (when not NULL): `masked[r][f] = output[r][f] > 0 ? gradient[r][f] : 0`
/// (NaN outputs pass nothing), `sums[f] = Σ_r masked[r][f]`. One pass in C because clang vectorizes
/// these loops, which Swift's SIMD comparisons do not reliably do; a bias gradient summed here spares
/// oneDNN's backward-weights primitive its own pass (a plain loop in Debian's build).
static inline __attribute__((unused)) void skconv_relu_bias_gradient(
  const float *__restrict gradient, const float *__restrict output, float *__restrict masked, float *__restrict sums,
  long rows, long filters
) {
  if (sums) for (long f = 0; f < filters; f++) sums[f] = 0;
  for (long r = 0; r < rows; r++) {
    const float *g = gradient + r * filters;
    if (output) {
      const float *y = output + r * filters;
      float *m = masked + r * filters;
      if (sums) {
        for (long f = 0; f < filters; f++) {
          float v = g[f];  // loaded whatever the output, so that the loop becomes selects
          v = y[f] > 0 ? v : 0;
          m[f] = v;
          sums[f] += v;
        }
      } else {
        for (long f = 0; f < filters; f++) {
          float v = g[f];
          m[f] = y[f] > 0 ? v : 0;
        }
      }
    } else if (sums) {
      for (long f = 0; f < filters; f++) sums[f] += g[f];
    }
  }
}

/// `skconv_relu_bias_gradient` for a `bfloat16` plan: the gradient rounded to bfloat16 (nearest,
/// ties to even: Keras' gradient of a bfloat16 output is bfloat16), masked by the ReLU's output
/// when `output` is not NULL, written as bfloat16 into `masked` (always), and the rounded values'
/// row sums into `sums` (when not NULL).
static inline __attribute__((unused)) void skconv_relu_bias_gradient_bf16(
  const float *__restrict gradient, const float *__restrict output, uint16_t *__restrict masked,
  float *__restrict sums, long rows, long filters
) {
  if (sums) for (long f = 0; f < filters; f++) sums[f] = 0;
  for (long r = 0; r < rows; r++) {
    const float *g = gradient + r * filters;
    const float *y = output ? output + r * filters : NULL;
    uint16_t *m = masked + r * filters;
    for (long f = 0; f < filters; f++) {
      uint16_t v = skbf16_from_float(g[f]);
      if (y) v = y[f] > 0 ? v : 0;
      m[f] = v;
      if (sums) {
        uint32_t bits = (uint32_t)v << 16;
        float value;
        memcpy(&value, &bits, 4);
        sums[f] += value;
      }
    }
  }
}
#endif
