// Softmax cross-entropy kernels against their naive twin (with and without label smoothing),
// stability for large logits, and the top-k metric.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/kernels/metrics.h"
#include "core/kernels/softmax_xent.h"
#include "core/tensor.h"

using namespace excite;

TEST_CASE("softmax_xent kernels: fast matches naive") {
  Generator gen(51);
  const int64_t shapes[][2] = {{1, 1}, {3, 5}, {128, 10}, {7, 100}};
  for (auto [N, K] : shapes) {
    for (float e : {0.f, 0.1f, 1.f}) {
      INFO("N=" << N << " K=" << K << " smoothing=" << e);
      Tensor z = Tensor::uniform({N, K}, -5, 5, gen);
      std::vector<int64_t> labels(N);
      for (auto& l : labels) l = gen.randint(K);
      Tensor p(z.shape()), p_n(z.shape()), dz(z.shape()), dz_n(z.shape());
      const float loss = softmax_xent_forward(z.data(), labels.data(), N, K, e, p.data());
      const float loss_n = softmax_xent_forward_naive(z.data(), labels.data(), N, K, e, p_n.data());
      CHECK(std::abs(loss - loss_n) < 1e-5f * (1.f + std::abs(loss_n)));
      CHECK(max_abs_diff(p, p_n) < 1e-6f);
      softmax_xent_backward(p.data(), labels.data(), N, K, e, 0.7f, dz.data());
      softmax_xent_backward_naive(p_n.data(), labels.data(), N, K, e, 0.7f, dz_n.data());
      CHECK(max_abs_diff(dz, dz_n) < 1e-6f);
    }
  }
}

TEST_CASE("softmax_xent kernels: large logits stay finite and exact") {
  // Shifting every logit of a row by a constant changes nothing; 1e4 would overflow a plain exp.
  Tensor z = Tensor::from({2, 3}, {1e4f, 1e4f + 1.f, 1e4f - 2.f, -1e4f, -1e4f + 3.f, -1e4f});
  Tensor z0 = Tensor::from({2, 3}, {0.f, 1.f, -2.f, 0.f, 3.f, 0.f});
  std::vector<int64_t> labels{1, 2};
  Tensor p(z.shape()), p0(z.shape());
  const float loss = softmax_xent_forward(z.data(), labels.data(), 2, 3, 0.f, p.data());
  const float loss0 = softmax_xent_forward(z0.data(), labels.data(), 2, 3, 0.f, p0.data());
  CHECK(std::isfinite(loss));
  CHECK(std::abs(loss - loss0) < 2e-3f);  // 1e4 in float carries ~1e-3 absolute rounding
  CHECK(max_abs_diff(p, p0) < 1e-3f);
}

TEST_CASE("topk_correct counts labels among the k largest logits") {
  Tensor z = Tensor::from({3, 4}, {0.1f, 0.5f, 0.2f, 0.0f,    // order 1, 2, 0, 3
                                   3.0f, 1.0f, 2.0f, 4.0f,    // order 3, 0, 2, 1
                                   1.0f, 1.0f, 1.0f, 1.0f});  // all tied: lower index first
  CHECK(topk_correct(z, {1, 3, 0}, 1) == 3);
  CHECK(topk_correct(z, {2, 0, 2}, 1) == 0);
  CHECK(topk_correct(z, {2, 0, 2}, 2) == 2);
  CHECK(topk_correct(z, {2, 0, 2}, 3) == 3);
  CHECK(topk_correct(z, {3, 1, 3}, 4) == 3);
  CHECK_THROWS_WITH(topk_correct(z, {0, 4, 0}, 1), Catch::Contains("topk_correct") && Catch::Contains("[3, 4]"));
  CHECK_THROWS_WITH(topk_correct(z, {0, 1}, 1), Catch::Contains("2"));
}
