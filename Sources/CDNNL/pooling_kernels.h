// 2-D max pooling of channels-last images `[N, H, W, C]` (TensorCore's MaxPooling): forward with
// the position of each maximum kept for the gradient, and backward routing each output gradient to
// that pixel. Plain loops over the channels that clang vectorizes, compiled twice from one body
// (pooling_kernels_body.h): for baseline x86-64 (`skpool_*`) and for AVX-512 (`skpool512_*`,
// called when `skgate_cpu_has_avx512()`), as gate_kernels.h explains. In Swift the same loops
// (SIMD16 types, `replace(with:where:)`) compiled to one lane at a time and took a fifth of the
// convnet benchmark's prediction.
#ifndef SWIFTKERAS_CDNNL_POOLING_KERNELS_H
#define SWIFTKERAS_CDNNL_POOLING_KERNELS_H
#include <stdint.h>

/// One pooling's windows: the input image size, the output size, window, strides and the rows and
/// columns of padding before the image (pixels there are not part of any window).
typedef struct skpool_window {
  long height, width, channels, output_height, output_width;
  long kernel_height, kernel_width, stride_height, stride_width, pad_top, pad_left;
} skpool_window;

/// The window at output index `at` along one axis: its first pixel `*start` (before the image when
/// padded) and the pixels of it inside the image, `[*first, *last)`.
static inline __attribute__((unused, always_inline)) void skpool_span(
  long at, long stride, long pad, long kernel, long size, long *start, long *first, long *last
) {
  *start = at * stride - pad;
  *first = *start > 0 ? *start : 0;
  *last = *start + kernel < size ? *start + kernel : size;
}

#define SKPOOL_NAME(name) skpool_##name
#define SKPOOL_TARGET __attribute__((unused))
#include "pooling_kernels_body.h"
#undef SKPOOL_NAME
#undef SKPOOL_TARGET

#if defined(__x86_64__)
#define SKPOOL_NAME(name) skpool512_##name
#define SKPOOL_TARGET __attribute__((unused, target("avx512f,avx512bw,avx512vl,avx512dq")))
#include "pooling_kernels_body.h"
#undef SKPOOL_NAME
#undef SKPOOL_TARGET
#endif
#endif
