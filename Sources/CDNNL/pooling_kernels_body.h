// One instruction set's max-pooling loops (see pooling_kernels.h), included once per target with
// SKPOOL_NAME(name) and SKPOOL_TARGET defined.

/// The maxima of the windows of images [first, last), and where the windows keep positions, the
/// position `i·kw + j` (row i, column j of the window) of the first pixel holding each maximum.
/// A later pixel replaces the maximum only when larger, so ties keep the first, as do NaNs that
/// come later (a NaN first stays).
static inline SKPOOL_TARGET void SKPOOL_NAME(forward)(
  const skpool_window *w, const float *__restrict input, float *__restrict output, int32_t *__restrict positions,
  long first, long last
) {
  const long C = w->channels;
  for (long n = first; n < last; n++) {
    for (long oh = 0; oh < w->output_height; oh++) {
      long top, y0, y1;
      skpool_span(oh, w->stride_height, w->pad_top, w->kernel_height, w->height, &top, &y0, &y1);
      for (long ow = 0; ow < w->output_width; ow++) {
        long left, x0, x1;
        skpool_span(ow, w->stride_width, w->pad_left, w->kernel_width, w->width, &left, &x0, &x1);
        const long pixel = ((n * w->output_height + oh) * w->output_width + ow) * C;
        float *__restrict best = output + pixel;
        const float *start = input + ((n * w->height + y0) * w->width + x0) * C;
        for (long c = 0; c < C; c++) best[c] = start[c];
        if (positions) {
          int32_t *__restrict where = positions + pixel;
          const int32_t at = (int32_t)((y0 - top) * w->kernel_width + x0 - left);
          for (long c = 0; c < C; c++) where[c] = at;
          for (long y = y0; y < y1; y++) {
            for (long x = y == y0 ? x0 + 1 : x0; x < x1; x++) {
              const float *__restrict source = input + ((n * w->height + y) * w->width + x) * C;
              const int32_t here = (int32_t)((y - top) * w->kernel_width + x - left);
              for (long c = 0; c < C; c++) {
                const float v = source[c], b = best[c];
                const int larger = v > b;
                best[c] = larger ? v : b;
                where[c] = larger ? here : where[c];
              }
            }
          }
        } else {
          for (long y = y0; y < y1; y++) {
            for (long x = y == y0 ? x0 + 1 : x0; x < x1; x++) {
              const float *__restrict source = input + ((n * w->height + y) * w->width + x) * C;
              for (long c = 0; c < C; c++) {
                const float v = source[c], b = best[c];
                best[c] = v > b ? v : b;
              }
            }
          }
        }
      }
    }
  }
}

/// The input gradient of images [first, last): each output gradient goes to the pixel its
/// position names. With `accumulate` (overlapping windows) it is added to `input_gradient`, which
/// the caller zeroed; without (disjoint windows) every pixel a window covers is written once (its
/// gradient or zero) and the caller zeroes the pixels no window covers.
static inline SKPOOL_TARGET void SKPOOL_NAME(backward)(
  const skpool_window *w, const float *__restrict gradient, const int32_t *__restrict positions,
  float *__restrict input_gradient, long first, long last, int accumulate
) {
  const long C = w->channels;
  for (long n = first; n < last; n++) {
    for (long oh = 0; oh < w->output_height; oh++) {
      long top, y0, y1;
      skpool_span(oh, w->stride_height, w->pad_top, w->kernel_height, w->height, &top, &y0, &y1);
      for (long ow = 0; ow < w->output_width; ow++) {
        long left, x0, x1;
        skpool_span(ow, w->stride_width, w->pad_left, w->kernel_width, w->width, &left, &x0, &x1);
        const long pixel = ((n * w->output_height + oh) * w->output_width + ow) * C;
        const float *__restrict g = gradient + pixel;
        const int32_t *__restrict where = positions + pixel;
        for (long y = y0; y < y1; y++) {
          for (long x = x0; x < x1; x++) {
            float *__restrict target = input_gradient + ((n * w->height + y) * w->width + x) * C;
            const int32_t here = (int32_t)((y - top) * w->kernel_width + x - left);
            if (accumulate) {
              for (long c = 0; c < C; c++) target[c] += where[c] == here ? g[c] : 0.0f;
            } else {
              for (long c = 0; c < C; c++) target[c] = where[c] == here ? g[c] : 0.0f;
            }
          }
        }
      }
    }
  }
}
