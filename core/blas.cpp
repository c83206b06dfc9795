// core/blas.cpp — the one file that calls cblas.
//
// Threading: we link Debian's OpenMP build of OpenBLAS (libopenblas0-openmp), not the pthread
// one. With it, OpenBLAS and the project's own `#pragma omp` loops draw on one and the same
// OpenMP thread pool, so the two never run on top of each other: a GEMM issued from outside a
// parallel region uses all threads, a GEMM issued from inside one runs single-threaded
// (OpenBLAS checks omp_in_parallel), and one setting, set_num_threads, governs both. With the
// pthread build, OpenBLAS keeps its own spinning workers beside OpenMP's and 2 + 2 threads fight
// over 2 cores; the reference measurements saw training fall 4x that way.
#include "core/blas.h"

#include <cblas.h>
#include <omp.h>

#include "core/error.h"

extern "C" {
void openblas_set_num_threads(int);
char* openblas_get_corename(void);
}

namespace excite {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
}

void gemm_naive(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += static_cast<double>(a) * b;
      }
      float& c = C[i * ldc + j];
      c = alpha * static_cast<float>(acc) + (beta == 0.f ? 0.f : beta * c);
    }
  }
}

void set_num_threads(int n) {
  EXCITE_CHECK(n >= 1, "set_num_threads: need at least 1 thread, got " << n);
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

const char* blas_core_name() { return openblas_get_corename(); }

}  // namespace excite
