// The attention kernels against their naive twins: channel mean/max maps (both tie rules) and
// the spatial scale (core/kernels/channel_reduce, on every instruction set this CPU runs),
// nearest-neighbour resizing
// (core/kernels/upsample), on odd shapes, one channel, planes larger than one parallel block, and
// inputs full of exact ties; plus torch's float32 index rule of F.interpolate(mode='nearest').
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/kernels/channel_reduce.h"
#include "core/kernels/upsample.h"
#include "core/tensor.h"
#include "isa_loop.h"

using namespace excite;

namespace {

// Small integers in [-2, 2]: most pixels have several channels tied at the maximum.
Tensor tied(const Shape& shape, Generator& gen) {
  Tensor t(shape);
  for (float& v : t) v = static_cast<float>(gen.randint(5)) - 2.f;
  return t;
}

void check_channel_twins(const ChannelPlanes& g, const Tensor& x, Generator& gen) {
  INFO("x [" << g.N << ", " << g.C << ", HW " << g.HW << "]");
  const Shape map({g.N, g.HW});
  Tensor m(map), m_n(map), dm = Tensor::uniform(map, -1, 1, gen), dx(x.shape()), dx_n(x.shape());
  dx.fill(7.f), dx_n.fill(-7.f);  // every output must be overwritten
  channel_mean_forward(x.data(), m.data(), g);
  channel_mean_forward_naive(x.data(), m_n.data(), g);
  CHECK(max_abs_diff(m, m_n) < 1e-6f);
  channel_mean_backward(dm.data(), dx.data(), g);
  channel_mean_backward_naive(dm.data(), dx_n.data(), g);
  CHECK(max_abs_diff(dx, dx_n) < 1e-7f);

  std::vector<int32_t> at(static_cast<size_t>(m.numel())), at_n(at.size());
  channel_max_forward(x.data(), m.data(), at.data(), g);
  channel_max_forward_naive(x.data(), m_n.data(), at_n.data(), g);
  CHECK(max_abs_diff(m, m_n) == 0.f);
  CHECK(at == at_n);
  dx.fill(7.f), dx_n.fill(-7.f);
  channel_max_backward_first(dm.data(), at.data(), dx.data(), g);
  channel_max_backward_first_naive(dm.data(), at_n.data(), dx_n.data(), g);
  CHECK(max_abs_diff(dx, dx_n) == 0.f);
  dx.fill(7.f), dx_n.fill(-7.f);
  channel_max_backward_split(dm.data(), x.data(), m.data(), dx.data(), g);
  channel_max_backward_split_naive(dm.data(), x.data(), m_n.data(), dx_n.data(), g);
  CHECK(max_abs_diff(dx, dx_n) < 1e-7f);

  Tensor s = Tensor::uniform(map, 0, 1, gen), y(x.shape()), y_n(x.shape()), dy = Tensor::uniform(x.shape(), -1, 1, gen);
  Tensor ds(map), ds_n(map);
  spatial_scale_forward(x.data(), s.data(), y.data(), g);
  spatial_scale_forward_naive(x.data(), s.data(), y_n.data(), g);
  CHECK(max_abs_diff(y, y_n) == 0.f);
  dx.fill(7.f), dx_n.fill(-7.f), ds.fill(7.f), ds_n.fill(-7.f);
  spatial_scale_backward(dy.data(), x.data(), s.data(), dx.data(), ds.data(), g);
  spatial_scale_backward_naive(dy.data(), x.data(), s.data(), dx_n.data(), ds_n.data(), g);
  CHECK(max_abs_diff(dx, dx_n) == 0.f);
  CHECK(max_abs_diff(ds, ds_n) < 1e-5f);
  // Only one of the two gradients asked for.
  Tensor ds_only(map);
  spatial_scale_backward(dy.data(), x.data(), s.data(), nullptr, ds_only.data(), g);
  CHECK(max_abs_diff(ds_only, ds) == 0.f);
}

}  // namespace

TEST_CASE("channel_reduce kernels: fast matches naive (mean, max with both tie rules, spatial scale)") {
  Generator gen(151);
  const std::vector<ChannelPlanes> shapes = {
      {.N = 2, .C = 5, .HW = 63}, {.N = 1, .C = 1, .HW = 12}, {.N = 3, .C = 7, .HW = 1},
      {.N = 2, .C = 3, .HW = 300},  // more than one block of pixels
      {.N = 5, .C = 16, .HW = 513}, {.N = 1, .C = 64, .HW = 49}};
  testing::for_each_isa([&](const std::string&) {  // every instruction set this CPU runs
    for (const ChannelPlanes& g : shapes) {
      check_channel_twins(g, Tensor::uniform({g.N, g.C, g.HW}, -1, 1, gen), gen);
      check_channel_twins(g, tied({g.N, g.C, g.HW}, gen), gen);
    }
  });
}

TEST_CASE("channel_max: first tie wins the index, split shares the gradient, NaN is the maximum") {
  // One sample, 4 channels, 3 pixels: pixel 0 tied in channels 1 and 2, pixel 1 tied everywhere,
  // pixel 2 has a NaN in channel 3 (after a finite maximum in channel 0).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from({1, 4, 3}, {1, 0, 5, 3, 0, 1, 3, 0, -1, 0, 0, nan});
  const ChannelPlanes g{.N = 1, .C = 4, .HW = 3};
  testing::for_each_isa([&](const std::string&) {
    Tensor m({1, 3}), dx(x.shape());
    std::vector<int32_t> at(3);
    channel_max_forward(x.data(), m.data(), at.data(), g);
    CHECK(m[0] == 3.f);
    CHECK(m[1] == 0.f);
    CHECK(std::isnan(m[2]));
    CHECK(at == std::vector<int32_t>{1, 0, 3});
    Tensor dm = Tensor::from({1, 3}, {1.f, 2.f, 3.f});
    channel_max_backward_first(dm.data(), at.data(), dx.data(), g);
    CHECK(dx.to_vector() == std::vector<float>{0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3});
    channel_max_backward_split(dm.data(), x.data(), m.data(), dx.data(), g);
    CHECK(dx.to_vector() == std::vector<float>{0, 0.5f, 0, 0.5f, 0.5f, 0, 0.5f, 0.5f, 0, 0, 0.5f, 3});
  });
}

TEST_CASE("upsample kernels: fast matches naive, enlarging, shrinking and the identity") {
  Generator gen(152);
  const std::vector<UpsampleGeometry> shapes = {
      {.N = 2, .C = 3, .H = 4, .W = 5, .OH = 7, .OW = 9},   {.N = 1, .C = 2, .H = 3, .W = 4, .OH = 6, .OW = 8},
      {.N = 2, .C = 2, .H = 1, .W = 1, .OH = 5, .OW = 4},   {.N = 1, .C = 3, .H = 4, .W = 5, .OH = 4, .OW = 5},
      {.N = 2, .C = 2, .H = 5, .W = 6, .OH = 3, .OW = 4},   {.N = 1, .C = 1, .H = 2, .W = 6, .OH = 82, .OW = 74},
      {.N = 3, .C = 4, .H = 14, .W = 14, .OH = 28, .OW = 28}, {.N = 2, .C = 16, .H = 2, .W = 2, .OH = 7, .OW = 7}};
  for (const UpsampleGeometry& g : shapes) {
    INFO("x [" << g.N << ", " << g.C << ", " << g.H << ", " << g.W << "] -> (" << g.OH << ", " << g.OW << ")");
    Tensor x = Tensor::uniform({g.N, g.C, g.H, g.W}, -1, 1, gen), dy = Tensor::uniform({g.N, g.C, g.OH, g.OW}, -1, 1, gen);
    Tensor y(dy.shape()), y_n(dy.shape()), dx(x.shape()), dx_n(x.shape());
    dx.fill(7.f), dx_n.fill(-7.f);
    upsample_nearest_forward(x.data(), y.data(), g);
    upsample_nearest_forward_naive(x.data(), y_n.data(), g);
    CHECK(max_abs_diff(y, y_n) == 0.f);
    upsample_nearest_backward(dy.data(), dx.data(), g);
    upsample_nearest_backward_naive(dy.data(), dx_n.data(), g);
    CHECK(max_abs_diff(dx, dx_n) < 1e-6f);
    if (g.OH == g.H && g.OW == g.W) CHECK(max_abs_diff(y, x) == 0.f);
  }
}

TEST_CASE("upsample: the source index follows torch's float32 rule, not the exact integer floor") {
  // Exact in integers: 2x, 3x, and 4 -> 7 (GE's extent 2 on a 7-pixel plane).
  for (int64_t o = 0; o < 8; ++o) CHECK(nearest_source_index(o, 4, 8) == o / 2);
  for (int64_t o = 0; o < 9; ++o) CHECK(nearest_source_index(o, 3, 9) == o / 3);
  const std::vector<int64_t> from4to7 = {0, 0, 1, 1, 2, 2, 3};
  for (int64_t o = 0; o < 7; ++o) CHECK(nearest_source_index(o, 4, 7) == from4to7[o]);
  // 2 -> 82: scale = 2/82 rounds below 1/41 in float32, so at o = 41 torch computes
  // floor(41 * 0.024390243) = floor(0.99999994) = 0 where the exact floor(41 * 2 / 82) is 1
  // (checked against torch 1.13 in make_attention_fixtures.py's up_float_rule case).
  CHECK(nearest_source_index(41, 2, 82) == 0);
  CHECK(nearest_source_index(42, 2, 82) == 1);
  // Shrinking: 5 -> 3 takes pixels 0, 1, 3.
  CHECK(nearest_source_index(0, 5, 3) == 0);
  CHECK(nearest_source_index(1, 5, 3) == 1);
  CHECK(nearest_source_index(2, 5, 3) == 3);
}
