// Pooling kernels against their naive twin (odd shapes, strides 1/2/3, padding 0/1/3, both
// average-pool divisors), the global pools against the windowed naive kernels, and max pooling's
// tie rule.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/kernels/pointwise.h"
#include "core/kernels/pool.h"
#include "core/tensor.h"
#include "isa_loop.h"

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
      // wide rows: vectors of output columns (stride 1 and 2) between scalar borders
      {.N = 2, .C = 2, .H = 9, .W = 70, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
      {.N = 1, .C = 3, .H = 6, .W = 45, .KH = 3, .KW = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1},
      {.N = 2, .C = 1, .H = 8, .W = 64, .KH = 2, .KW = 2, .stride_h = 2, .stride_w = 2},
      {.N = 1, .C = 2, .H = 5, .W = 37, .KH = 2, .KW = 5, .stride_h = 1, .stride_w = 1, .pad_h = 0, .pad_w = 2},
  };
  testing::for_each_isa([&](const std::string&) {
    for (PoolGeometry g : geometries) {
      for (bool include : {true, false}) {
        g.count_include_pad = include;
        check_pool_twins(g, gen);
      }
    }
  });
}

TEST_CASE("pool kernels: global pools equal a window over the whole plane") {
  Generator gen(42);
  const int64_t N = 3, C = 4, H = 5, W = 7, HW = H * W;
  PoolGeometry whole{.N = N, .C = C, .H = H, .W = W, .KH = H, .KW = W, .stride_h = 1, .stride_w = 1};
  Tensor x = Tensor::uniform({N, C, H, W}, -1, 1, gen), dy = Tensor::uniform({N, C}, -1, 1, gen);
  Tensor y({N, C}), y_n({N, C}), dx(x.shape()), dx_n(x.shape());
  std::vector<int32_t> am(N * C), am_n(N * C);

  testing::for_each_isa([&](const std::string&) {
    global_avg_pool_forward(x.data(), y.data(), N * C, HW);
    avg_pool2d_forward_naive(x.data(), y_n.data(), whole);
    CHECK(max_abs_diff(y, y_n) < 1e-6f);
    // Its backward: dy / HW spread over each plane (the engine does it, core/kernels/pointwise.h).
    std::vector<float> per_plane(N * C);
    for (int64_t i = 0; i < N * C; ++i) per_plane[i] = dy.data()[i] / static_cast<float>(HW);
    plane_add(nullptr, per_plane.data(), dx.data(), N * C, HW);
    avg_pool2d_backward_naive(dy.data(), dx_n.data(), whole);
    CHECK(max_abs_diff(dx, dx_n) < 1e-6f);

    global_max_pool_forward(x.data(), y.data(), am.data(), N * C, HW);
    max_pool2d_forward_naive(x.data(), y_n.data(), am_n.data(), whole);
    CHECK(max_abs_diff(y, y_n) == 0.f);
    CHECK(am == am_n);
    global_max_pool_backward(dy.data(), am.data(), dx.data(), N * C, HW);
    max_pool2d_backward_naive(dy.data(), am_n.data(), dx_n.data(), whole);
    CHECK(max_abs_diff(dx, dx_n) == 0.f);
  });
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

TEST_CASE("pool kernels: ties, NaN and -inf on wide rows (the vector columns) on every instruction set") {
  PoolGeometry g{.N = 1, .C = 1, .H = 3, .W = 80, .KH = 3, .KW = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1,
                 .pad_w = 1};
  Tensor x = Tensor::full({1, 1, 3, 80}, -3.f);
  x.data()[80 + 40] = std::numeric_limits<float>::quiet_NaN();
  x.data()[2 * 80 + 10] = -std::numeric_limits<float>::infinity();
  x.data()[20] = 5.f;
  x.data()[21] = 5.f;  // a tie: the first tap (row-major) wins
  Tensor y({1, 1, 3, 80}), y_n({1, 1, 3, 80});
  std::vector<int32_t> am(240), am_n(240);
  max_pool2d_forward_naive(x.data(), y_n.data(), am_n.data(), g);
  testing::for_each_isa([&](const std::string&) {
    max_pool2d_forward(x.data(), y.data(), am.data(), g);
    CHECK(am == am_n);
    for (int i = 0; i < 240; ++i) CHECK((y.data()[i] == y_n.data()[i] || (std::isnan(y.data()[i]) && std::isnan(y_n.data()[i]))));
    std::vector<float> gy(80), gy_n(80);
    std::vector<int32_t> ga(80), ga_n(80);
    Tensor planes = Tensor::full({3, 80}, -std::numeric_limits<float>::infinity());
    planes.data()[80 + 33] = 2.f;
    planes.data()[80 + 70] = 2.f;
    planes.data()[2 * 80 + 5] = std::numeric_limits<float>::quiet_NaN();
    PoolGeometry whole{.N = 1, .C = 3, .H = 1, .W = 80, .KH = 1, .KW = 80, .stride_h = 1, .stride_w = 1};
    global_max_pool_forward(planes.data(), gy.data(), ga.data(), 3, 80);
    max_pool2d_forward_naive(planes.data(), gy_n.data(), ga_n.data(), whole);
    CHECK(ga == ga_n);  // all -inf: the first; a tie: the first; a NaN: the NaN
    CHECK(gy[1] == 2.f);
    CHECK(std::isnan(gy[2]));
  });
}
