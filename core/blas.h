// core/blas.h — matrix multiply: the OpenBLAS path and its naive twin.
//
// Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, where op(X) is X or its
// transpose, lda/ldb/ldc are row strides of the matrices as stored. This is the only place
// that calls cblas (see blas.cpp for the threading choice). gemm_naive is the reference the
// tests compare with: triple loop, double accumulation, no blocking.
#pragma once

#include <cstdint>

namespace excite {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

void gemm_naive(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Threads used by OpenBLAS and by the project's own OpenMP loops (one shared pool).
void set_num_threads(int n);
int num_threads();

// Which OpenBLAS core kernels were selected at load time, e.g. "Haswell" (for bench reports).
const char* blas_core_name();

}  // namespace excite
