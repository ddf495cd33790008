// A single-precision GEMM in AVX-512 for the per-step products of the recurrent kernel
// (TensorCore's RecurrentKernel): `C = A·B` or `C += A·B`, row-major, every matrix read in place (no packing).
// oneDNN's sgemm packs B on every call and is tuned for large shapes; at the recurrent shapes of
// small layers (a few dozen rows of one batch part, `k` and `n` in the tens to hundreds) the
// packing and the call cost more than the arithmetic. Here a block of up to 6 rows × 64 columns
// is held in 24 ZMM accumulators while `k` runs: per `k`, four loads of B's row, one broadcast
// of A per row and 24 fused multiply-adds. Columns past a multiple of 16 are masked.
//
// Each C element is its initial value plus the products in increasing `k`, one rounding per
// multiply-add: the same sum as a beta-1 GEMM that accumulates in `k` order.
#ifndef SWIFTKERAS_CDNNL_SMALL_GEMM_H
#define SWIFTKERAS_CDNNL_SMALL_GEMM_H
#if defined(__x86_64__)
#include <immintrin.h>

#define SKGEMM_TARGET __attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"), always_inline, unused))
// Swift compiles imported C for size, which does not unroll loops: the block's loops over rows and
// vectors must be unrolled for the accumulators to stay in registers, so they say so.
#define SKGEMM_UNROLL _Pragma("clang loop unroll(full)")
#define SKGEMM_ENTRY __attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"), unused))

/// One block: `rows` (1...6) rows × `vectors` (1...4) groups of 16 columns, the last group
/// masked by `last`. Constant `rows` and `vectors` unroll every loop (the function is inlined
/// into a switch over both). Element `(r, p)` of A is `a[r · a_row + p · a_step]`: `(lda, 1)`
/// for A stored `[m, k]`, `(1, lda)` for Aᵀ read from A stored `[k, m]` (attention's backward
/// pass); both are constants where the block is inlined.
static inline SKGEMM_TARGET void skgemm_block(
  const long rows, const long vectors, __mmask16 last, int accumulate, long k, const float *a, long a_row, long a_step,
  const float *b, long ldb, float *c, long ldc
) {
  __m512 acc[6][4];
  SKGEMM_UNROLL for (long r = 0; r < rows; r++) {
    SKGEMM_UNROLL for (long v = 0; v < vectors; v++) {
      __mmask16 mask = v == vectors - 1 ? last : (__mmask16)0xFFFF;
      acc[r][v] = accumulate ? _mm512_maskz_loadu_ps(mask, c + r * ldc + 16 * v) : _mm512_setzero_ps();
    }
  }
  for (long p = 0; p < k; p++) {
    __m512 column[4];
    SKGEMM_UNROLL for (long v = 0; v < vectors; v++) {
      __mmask16 mask = v == vectors - 1 ? last : (__mmask16)0xFFFF;
      column[v] = _mm512_maskz_loadu_ps(mask, b + p * ldb + 16 * v);
    }
    SKGEMM_UNROLL for (long r = 0; r < rows; r++) {
      __m512 value = _mm512_set1_ps(a[r * a_row + p * a_step]);
      SKGEMM_UNROLL for (long v = 0; v < vectors; v++) acc[r][v] = _mm512_fmadd_ps(value, column[v], acc[r][v]);
    }
  }
  SKGEMM_UNROLL for (long r = 0; r < rows; r++) {
    SKGEMM_UNROLL for (long v = 0; v < vectors; v++) {
      __mmask16 mask = v == vectors - 1 ? last : (__mmask16)0xFFFF;
      _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask, acc[r][v]);
    }
  }
}

#define SKGEMM_ROWS(vectors)                                                                       \
  switch (rows) {                                                                                  \
  case 6: skgemm_block(6, vectors, last, accumulate, k, a, lda, 1, b, ldb, c, ldc); break;                        \
  case 5: skgemm_block(5, vectors, last, accumulate, k, a, lda, 1, b, ldb, c, ldc); break;                        \
  case 4: skgemm_block(4, vectors, last, accumulate, k, a, lda, 1, b, ldb, c, ldc); break;                        \
  case 3: skgemm_block(3, vectors, last, accumulate, k, a, lda, 1, b, ldb, c, ldc); break;                        \
  case 2: skgemm_block(2, vectors, last, accumulate, k, a, lda, 1, b, ldb, c, ldc); break;                        \
  default: skgemm_block(1, vectors, last, accumulate, k, a, lda, 1, b, ldb, c, ldc); break;                       \
  }

/// One block of `rows` (1...6) rows and `columns` (1...64) columns.
static inline SKGEMM_ENTRY void skgemm_tile(
  long rows, long columns, int accumulate, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc
) {
  long vectors = (columns + 15) / 16;
  long tail = columns - 16 * (vectors - 1);
  __mmask16 last = tail >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << tail) - 1);
  switch (vectors) {
  case 4: SKGEMM_ROWS(4); break;
  case 3: SKGEMM_ROWS(3); break;
  case 2: SKGEMM_ROWS(2); break;
  default: SKGEMM_ROWS(1); break;
  }
}
#undef SKGEMM_ROWS

#ifndef SKGEMM_DEPTH
/// `k` runs in slices of this many, so that the 64-column panel of B a block reads stays in L2.
#define SKGEMM_DEPTH 512
#endif

/// A block kernel: `rows` × `columns` of C from `k` rows of A and B (`skgemm_tile`, `skgemm256_tile`).
typedef void (*skgemm_tile_function)(
  long rows, long columns, int accumulate, long k, const float *a, long lda, const float *b, long ldb, float *c,
  long ldc);

/// The loops around a block kernel, shared by every variant: `k` in slices of `SKGEMM_DEPTH`
/// (the first slice starts from C or from zero, the others add to it), columns in blocks of
/// `width`, rows in blocks of 6. B is read at `ldb` as it is, or, when `packed`, from the panels
/// of `skgemm512_pack` (64 columns, `k` rows each).
static inline __attribute__((always_inline, unused)) void skgemm_drive(
  skgemm_tile_function tile, long width, int packed, long m, long n, int accumulate, long k, const float *a,
  long lda, const float *b, long ldb, float *c, long ldc
) {
  for (long p = 0; p < k; p += SKGEMM_DEPTH) {
    long depth = k - p < SKGEMM_DEPTH ? k - p : SKGEMM_DEPTH;
    int adds = accumulate || p > 0;
    for (long j = 0; j < n; j += width) {
      long columns = n - j < width ? n - j : width;
      const float *panel = packed ? b + j * k + p * 64 : b + p * ldb + j;
      for (long i = 0; i < m; i += 6) {
        long rows = m - i < 6 ? m - i : 6;
        tile(rows, columns, adds, depth, a + i * lda + p, lda, panel, packed ? 64 : ldb, c + i * ldc + j, ldc);
      }
    }
  }
}

/// `C[m×n] = A[m×k]·B[k×n]`, or `C += A·B` when `accumulate` is nonzero, row-major with leading
/// dimensions `lda`, `ldb`, `ldc`. Call only when `skgate_cpu_has_avx512()`.
static inline SKGEMM_ENTRY void skgemm512(
  long m, long n, int accumulate, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc
) {
  skgemm_drive(skgemm_tile, 64, 0, m, n, accumulate, k, a, lda, b, ldb, c, ldc);
}

/// The number of floats `skgemm512_pack` writes for a `[k, n]` matrix: `n` rounded up to 64, times `k`.
static inline __attribute__((unused)) long skgemm512_packed_count(long k, long n) { return k * ((n + 63) / 64) * 64; }

/// Copies the `[k, n]` matrix B (leading dimension `ldb`) into panels for
/// `skgemm512_packed`: its columns in panels of 64, each panel `k` contiguous rows of 64 floats
/// (columns past `n` zero). A block then reads B front to back instead of 64 floats every `ldb`:
/// one 4 KB page holds 16 of its rows rather than one or two, and the hardware prefetcher sees
/// one stream. For the recurrent matrices, packed once per pass and read at every step.
static inline SKGEMM_ENTRY void skgemm512_pack(long k, long n, const float *b, long ldb, float *packed) {
  for (long j = 0; j < n; j += 64) {
    long columns = n - j < 64 ? n - j : 64;
    float *panel = packed + j * k;
    for (long p = 0; p < k; p++) {
      for (long q = 0; q < columns; q++) panel[p * 64 + q] = b[p * ldb + j + q];
      for (long q = columns; q < 64; q++) panel[p * 64 + q] = 0;
    }
  }
}

/// `skgemm512` with B in the panels of `skgemm512_pack` (same arithmetic, same bits).
static inline SKGEMM_ENTRY void skgemm512_packed(
  long m, long n, int accumulate, long k, const float *a, long lda, const float *packed, float *c, long ldc
) {
  skgemm_drive(skgemm_tile, 64, 1, m, n, accumulate, k, a, lda, packed, 64, c, ldc);
}

// MARK: AVX2 + FMA

/// Lanes below `count` (0...8) set, for AVX2's masked loads and stores.
static inline __attribute__((target("avx2,fma"), always_inline, unused)) __m256i skgemm256_mask(long count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// The AVX2 block: `rows` (1...6) × `vectors` (1...2) groups of 8 columns, 12 YMM
/// accumulators of the 16 registers; the last group masked by `last` (lanes set for the
/// columns that exist). Same arithmetic as the AVX-512 block: one fused multiply-add per `k`
/// in order, so both give the bits of the scalar chain.
static inline __attribute__((target("avx2,fma"), always_inline, unused)) void skgemm256_block(
  const long rows, const long vectors, __m256i last, int full, int accumulate, long k, const float *a, long lda,
  const float *b, long ldb, float *c, long ldc
) {
  __m256 acc[6][2];
  SKGEMM_UNROLL for (long r = 0; r < rows; r++) {
    SKGEMM_UNROLL for (long v = 0; v < vectors; v++) {
      int masked = !full && v == vectors - 1;
      acc[r][v] = !accumulate ? _mm256_setzero_ps()
        : masked ? _mm256_maskload_ps(c + r * ldc + 8 * v, last) : _mm256_loadu_ps(c + r * ldc + 8 * v);
    }
  }
  for (long p = 0; p < k; p++) {
    __m256 column[2];
    SKGEMM_UNROLL for (long v = 0; v < vectors; v++) {
      int masked = !full && v == vectors - 1;
      column[v] = masked ? _mm256_maskload_ps(b + p * ldb + 8 * v, last) : _mm256_loadu_ps(b + p * ldb + 8 * v);
    }
    SKGEMM_UNROLL for (long r = 0; r < rows; r++) {
      __m256 value = _mm256_broadcast_ss(a + r * lda + p);
      SKGEMM_UNROLL for (long v = 0; v < vectors; v++) acc[r][v] = _mm256_fmadd_ps(value, column[v], acc[r][v]);
    }
  }
  SKGEMM_UNROLL for (long r = 0; r < rows; r++) {
    SKGEMM_UNROLL for (long v = 0; v < vectors; v++) {
      int masked = !full && v == vectors - 1;
      if (masked) _mm256_maskstore_ps(c + r * ldc + 8 * v, last, acc[r][v]);
      else _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);
    }
  }
}

#define SKGEMM256_ROWS(vectors, full)                                                              \
  switch (rows) {                                                                                  \
  case 6: skgemm256_block(6, vectors, last, full, accumulate, k, a, lda, b, ldb, c, ldc); break;   \
  case 5: skgemm256_block(5, vectors, last, full, accumulate, k, a, lda, b, ldb, c, ldc); break;   \
  case 4: skgemm256_block(4, vectors, last, full, accumulate, k, a, lda, b, ldb, c, ldc); break;   \
  case 3: skgemm256_block(3, vectors, last, full, accumulate, k, a, lda, b, ldb, c, ldc); break;   \
  case 2: skgemm256_block(2, vectors, last, full, accumulate, k, a, lda, b, ldb, c, ldc); break;   \
  default: skgemm256_block(1, vectors, last, full, accumulate, k, a, lda, b, ldb, c, ldc); break;  \
  }

/// One AVX2 block of `rows` (1...6) rows and `columns` (1...16) columns.
static inline __attribute__((target("avx2,fma"), unused)) void skgemm256_tile(
  long rows, long columns, int accumulate, long k, const float *a, long lda, const float *b, long ldb, float *c,
  long ldc
) {
  long vectors = (columns + 7) / 8;
  long tail = columns - 8 * (vectors - 1);
  __m256i last = skgemm256_mask(tail);
  if (vectors == 2) {
    if (tail == 8) { SKGEMM256_ROWS(2, 1) } else { SKGEMM256_ROWS(2, 0) }
  } else {
    if (tail == 8) { SKGEMM256_ROWS(1, 1) } else { SKGEMM256_ROWS(1, 0) }
  }
}
#undef SKGEMM256_ROWS

/// `skgemm512` in AVX2 + FMA (6×16 blocks): `C[m×n] = A·B`, or `C += A·B` when `accumulate` is
/// nonzero; the same bits. Call only when `skgate_cpu_has_avx2_fma()`.
static inline __attribute__((target("avx2,fma"), unused)) void skgemm256(
  long m, long n, int accumulate, long k, const float *a, long lda, const float *b, long ldb, float *c, long ldc
) {
  skgemm_drive(skgemm256_tile, 16, 0, m, n, accumulate, k, a, lda, b, ldb, c, ldc);
}

#endif
#endif
