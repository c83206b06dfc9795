// Pooling kernels against their naive twin (odd shapes, strides 1/2/3, padding 0/1/3, both
// average-pool divisors), the global pools against the windowed naive kernels, and max pooling's
// tie rule.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "core/kernels/pool.h"
#include "core/tensor.h"

using namespace excite;

namespace {

void check_pool_twins(const PoolGeometry& g, Generator& gen) {
  INFO("x [" << g.N << ", " << g.C << ", " << g.H << ", " << g.W << "] kernel (" << g.KH << ", " << g.KW
             << ") stride (" << g.stride_h << ", " << g.stride_w << ") pad (" << g.pad_h << ", " << g.pad_w
             << ") count_include_pad " << g.count_include_pad);
  const int64_t OH = g.OH(), OW = g.OW();
  Tensor x = Tensor::uniform({g.N, g.C, g.H, g.W}, -1, 1, gen);
  Tensor dy = Tensor::uniform({g.N, g.C, OH, OW}, -1, 1, gen);
  Tensor y(dy.shape()), y_n(dy.shape()), dx(x.shape()), dx_n(x.shape());
  std::vector<int32_t> am(static_cast<size_t>(dy.numel())), am_n(am.size());

  max_pool2d_forward(x.data(), y.data(), am.data(), g);
  max_pool2d_forward_naive(x.data(), y_n.data(), am_n.data(), g);
  CHECK(max_abs_diff(y, y_n) == 0.f);
  CHECK(am == am_n);
  dx.fill(5.f);
  max_pool2d_backward(dy.data(), am.data(), dx.data(), g);
  max_pool2d_backward_naive(dy.data(), am_n.data(), dx_n.data(), g);
  CHECK(max_abs_diff(dx, dx_n) < 1e-6f);

  avg_pool2d_forward(x.data(), y.data(), g);
  avg_pool2d_forward_naive(x.data(), y_n.data(), g);
  CHECK(max_abs_diff(y, y_n) < 1e-6f);
  dx.fill(5.f);
  avg_pool2d_backward(dy.data(), dx.data(), g);
  avg_pool2d_backward_naive(dy.data(), dx_n.data(), g);
  CHECK(max_abs_diff(dx, dx_n) < 1e-6f);
}

}  // namespace

TEST_CASE("pool kernels: fast matches naive") {
  Generator gen(41);
  const std::vector<PoolGeometry> geometries = {
      {.N = 2, .C = 3, .H = 8, .W = 8},
      {.N = 2, .C = 3, .H = 7, .W = 9},
      {.N = 1, .C = 2, .H = 9, .W = 7, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
      {.N = 2, .C = 2, .H = 6, .W = 5, .KH = 3, .KW = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1},
      {.N = 1, .C = 3, .H = 10, .W = 11, .KH = 7, .KW = 7, .stride_h = 2, .stride_w = 3, .pad_h = 3, .pad_w = 3},
      {.N = 3, .C = 1, .H = 5, .W = 8, .KH = 2, .KW = 3, .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 0},
      {.N = 2, .C = 2, .H = 4, .W = 4, .KH = 4, .KW = 4, .stride_h = 1, .stride_w = 1},
  };
  for (PoolGeometry g : geometries) {
    for (bool include : {true, false}) {
      g.count_include_pad = include;
      check_pool_twins(g, gen);
    }
  }
}

TEST_CASE("pool kernels: global pools equal a window over the whole plane") {
  Generator gen(42);
  const int64_t N = 3, C = 4, H = 5, W = 7, HW = H * W;
  PoolGeometry whole{.N = N, .C = C, .H = H, .W = W, .KH = H, .KW = W, .stride_h = 1, .stride_w = 1};
  Tensor x = Tensor::uniform({N, C, H, W}, -1, 1, gen), dy = Tensor::uniform({N, C}, -1, 1, gen);
  Tensor y({N, C}), y_n({N, C}), dx(x.shape()), dx_n(x.shape());
  std::vector<int32_t> am(N * C), am_n(N * C);

  global_avg_pool_forward(x.data(), y.data(), N * C, HW);
  avg_pool2d_forward_naive(x.data(), y_n.data(), whole);
  CHECK(max_abs_diff(y, y_n) < 1e-6f);
  global_avg_pool_backward(dy.data(), dx.data(), N * C, HW);
  avg_pool2d_backward_naive(dy.data(), dx_n.data(), whole);
  CHECK(max_abs_diff(dx, dx_n) < 1e-6f);

  global_max_pool_forward(x.data(), y.data(), am.data(), N * C, HW);
  max_pool2d_forward_naive(x.data(), y_n.data(), am_n.data(), whole);
  CHECK(max_abs_diff(y, y_n) == 0.f);
  CHECK(am == am_n);
  global_max_pool_backward(dy.data(), am.data(), dx.data(), N * C, HW);
  max_pool2d_backward_naive(dy.data(), am_n.data(), dx_n.data(), whole);
  CHECK(max_abs_diff(dx, dx_n) == 0.f);
}

TEST_CASE("pool kernels: max pooling ties go to the first tap, padding never wins") {
  // One plane of equal values: every window's first real tap is its argmax.
  PoolGeometry g{.N = 1, .C = 1, .H = 4, .W = 4, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1,
                 .pad_w = 1};
  Tensor x = Tensor::full({1, 1, 4, 4}, -3.f);  // negative: a zero-padded max would wrongly give 0
  Tensor y({1, 1, 2, 2});
  std::vector<int32_t> am(4);
  max_pool2d_forward(x.data(), y.data(), am.data(), g);
  CHECK(y.to_vector() == std::vector<float>{-3.f, -3.f, -3.f, -3.f});
  CHECK(am == std::vector<int32_t>{0, 1, 4, 5});  // windows start at (-1,-1), (-1,1), (1,-1), (1,1)
  x.data()[3] = std::numeric_limits<float>::quiet_NaN();
  max_pool2d_forward(x.data(), y.data(), am.data(), g);
  CHECK(am[1] == 3);  // NaN propagates, as torch
}
