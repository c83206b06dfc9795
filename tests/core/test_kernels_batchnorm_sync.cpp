// batchnorm_dx_from_sums (core/kernels/batchnorm_sync.h), the input gradient of synchronised BN:
// fast against its naive twin, and, fed this batch's own sums and count, equal to
// batchnorm_backward's dx (plain and fused with a ReLU). Odd sizes exercise the remainders.
#include <catch2/catch.hpp>

#include <vector>

#include "core/kernels/batchnorm.h"
#include "core/kernels/batchnorm_sync.h"
#include "core/tensor.h"
#include "fixtures.h"

using namespace excite;

namespace {

struct Case {
  Tensor x, dy, y, gamma, beta, mean, var, invstd;
  int64_t N, C, HW;
};

Case make_case(int64_t N, int64_t C, int64_t HW, uint64_t seed) {
  Generator gen(seed);
  Case k{Tensor::normal({N, C, HW}, 0.3f, 1.5f, gen), Tensor::normal({N, C, HW}, 0.f, 1.f, gen), Tensor({N, C, HW}),
         Tensor::uniform({C}, 0.5f, 1.5f, gen), Tensor::uniform({C}, -0.5f, 0.5f, gen), Tensor({C}), Tensor({C}),
         Tensor({C}), N, C, HW};
  batchnorm_stats(k.x.data(), N, C, HW, k.mean.data(), k.var.data());
  for (int64_t c = 0; c < C; ++c) k.invstd.data()[c] = 1.f / std::sqrt(k.var.data()[c] + 1e-5f);
  batchnorm_relu_forward(k.x.data(), k.mean.data(), k.invstd.data(), k.gamma.data(), k.beta.data(), k.y.data(), N, C,
                         HW);
  return k;
}

}  // namespace

TEST_CASE("batchnorm_dx_from_sums - fast equals naive, and with local sums equals batchnorm_backward", "[kernels]") {
  for (auto [N, C, HW] : {std::tuple<int64_t, int64_t, int64_t>{2, 3, 5}, {4, 16, 49}, {3, 7, 1}, {8, 5, 37}}) {
    for (bool relu : {false, true}) {
      Case k = make_case(N, C, HW, 7 + static_cast<uint64_t>(N * C * HW));
      const float* y = relu ? k.y.data() : nullptr;
      Tensor dgamma({C}), dbeta({C}), dx_ref({N, C, HW});
      if (relu)
        batchnorm_relu_backward(k.dy.data(), k.y.data(), k.x.data(), k.mean.data(), k.invstd.data(), k.gamma.data(),
                                dx_ref.data(), dgamma.data(), dbeta.data(), N, C, HW, true);
      else
        batchnorm_backward(k.dy.data(), k.x.data(), k.mean.data(), k.invstd.data(), k.gamma.data(), dx_ref.data(),
                           dgamma.data(), dbeta.data(), N, C, HW, true);
      std::vector<double> sum_dz(C), sum_dz_xhat(C);
      for (int64_t c = 0; c < C; ++c) sum_dz[c] = dbeta.data()[c], sum_dz_xhat[c] = dgamma.data()[c];
      Tensor fast({N, C, HW}), naive({N, C, HW});
      const double count = static_cast<double>(N * HW);
      batchnorm_dx_from_sums(k.dy.data(), y, k.x.data(), k.mean.data(), k.invstd.data(), k.gamma.data(), sum_dz.data(),
                             sum_dz_xhat.data(), count, fast.data(), N, C, HW);
      batchnorm_dx_from_sums_naive(k.dy.data(), y, k.x.data(), k.mean.data(), k.invstd.data(), k.gamma.data(),
                                   sum_dz.data(), sum_dz_xhat.data(), count, naive.data(), N, C, HW);
      INFO("N " << N << " C " << C << " HW " << HW << " relu " << relu);
      CHECK(testing::relative_error(fast, naive) < 1e-5f);
      CHECK(testing::relative_error(fast, dx_ref) < 1e-5f);
      // gamma = null means 1
      Tensor ones = Tensor::ones({C});
      batchnorm_dx_from_sums(k.dy.data(), y, k.x.data(), k.mean.data(), k.invstd.data(), nullptr, sum_dz.data(),
                             sum_dz_xhat.data(), count, fast.data(), N, C, HW);
      batchnorm_dx_from_sums_naive(k.dy.data(), y, k.x.data(), k.mean.data(), k.invstd.data(), ones.data(),
                                   sum_dz.data(), sum_dz_xhat.data(), count, naive.data(), N, C, HW);
      CHECK(testing::relative_error(fast, naive) < 1e-5f);
    }
  }
}
