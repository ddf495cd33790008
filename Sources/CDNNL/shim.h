// Shim over oneDNN (Debian: libdnnl-dev) for row-major single-precision GEMM, bfloat16 matmul, 2-D convolution,
// max pooling and the AVX-512 attention kernel.
#ifndef SWIFTKERAS_CDNNL_SHIM_H
#define SWIFTKERAS_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include "gate_kernels.h"
#include "small_gemm.h"
#include "attention_kernels.h"
#include "convolution.h"
#include "pooling_kernels.h"
#include "matmul.h"

// GNU OpenMP (oneDNN's threading runtime on Debian); declared here because
// <omp.h> lives in GCC's private include directory.
void omp_set_num_threads(int count);
int omp_get_max_threads(void);
#endif
