#include <catch2/catch.hpp>

#include "core/blas.h"
#include "core/tensor.h"

using namespace excite;

TEST_CASE("BLAS gemm matches the naive twin on odd shapes and every transpose case") {
  Generator gen(11);
  const int64_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {64, 1, 128}, {31, 130, 65}, {2, 257, 3}};
  for (auto [M, N, K] : shapes) {
    for (int ta = 0; ta < 2; ++ta) {
      for (int tb = 0; tb < 2; ++tb) {
        for (float beta : {0.f, 0.5f}) {
          Tensor A = Tensor::uniform({ta ? K : M, ta ? M : K}, -1, 1, gen);
          Tensor B = Tensor::uniform({tb ? N : K, tb ? K : N}, -1, 1, gen);
          Tensor C0 = Tensor::uniform({M, N}, -1, 1, gen);
          Tensor C1 = C0.clone();
          gemm(ta, tb, M, N, K, 1.5f, A.data(), A.size(1), B.data(), B.size(1), beta, C0.data(), N);
          gemm_naive(ta, tb, M, N, K, 1.5f, A.data(), A.size(1), B.data(), B.size(1), beta, C1.data(), N);
          INFO("M=" << M << " N=" << N << " K=" << K << " ta=" << ta << " tb=" << tb << " beta=" << beta);
          CHECK(max_abs_diff(C0, C1) < 1e-4f * static_cast<float>(K));
        }
      }
    }
  }
}

TEST_CASE("thread count is settable") {
  const int before = num_threads();
  set_num_threads(1);
  CHECK(num_threads() == 1);
  set_num_threads(before);
  CHECK_THROWS(set_num_threads(0));
  CHECK(std::string(blas_core_name()).size() > 0);
}
