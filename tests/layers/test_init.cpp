// Initialisation statistics: PyTorch's defaults for Conv2d/Linear, Kaiming normal fan_out, BN.
#include <catch2/catch.hpp>

#include <cmath>

#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

namespace {

struct Stats {
  double mean = 0, std = 0, max_abs = 0;
};

Stats stats(const Tensor& t) {
  Stats s;
  for (float v : t) s.mean += v;
  s.mean /= t.numel();
  for (float v : t) {
    s.std += (v - s.mean) * (v - s.mean);
    s.max_abs = std::max(s.max_abs, std::fabs(static_cast<double>(v)));
  }
  s.std = std::sqrt(s.std / t.numel());
  return s;
}

}  // namespace

TEST_CASE("init: fan in and fan out as torch computes them") {
  CHECK(fans_of({64, 16, 3, 3}).in == 144);
  CHECK(fans_of({64, 16, 3, 3}).out == 576);
  CHECK(fans_of({10, 512}).in == 512);
  CHECK(fans_of({10, 512}).out == 10);
  CHECK_THROWS_AS(fans_of({5}), Error);
}

TEST_CASE("init: Conv2d and Linear default to U(-1/sqrt(fan_in), 1/sqrt(fan_in))") {
  manual_seed(11);
  Conv2d conv({.in = 64, .out = 128, .kernel = 3});
  const double bound = 1.0 / std::sqrt(64.0 * 9.0);
  Stats w = stats(conv.weight().data());
  CHECK(w.max_abs <= bound);
  CHECK(w.max_abs > 0.99 * bound);
  CHECK(std::fabs(w.mean) < 0.02 * bound);
  CHECK(w.std == Approx(bound / std::sqrt(3.0)).epsilon(0.02));
  CHECK(stats(conv.bias().data()).max_abs <= bound);

  Linear fc({.in = 256, .out = 1000});
  const double lb = 1.0 / 16.0;
  Stats lw = stats(fc.weight().data());
  CHECK(lw.max_abs <= lb);
  CHECK(lw.std == Approx(lb / std::sqrt(3.0)).epsilon(0.02));
  Stats bias = stats(fc.bias().data());
  CHECK(bias.max_abs <= lb);
  CHECK(bias.std == Approx(lb / std::sqrt(3.0)).epsilon(0.1));
}

TEST_CASE("init: kaiming_normal_ fan_out relu has std sqrt(2 / (OC*KH*KW))") {
  manual_seed(12);
  Tensor w({128, 64, 3, 3});
  kaiming_normal_(w, FanMode::Out);
  Stats s = stats(w);
  CHECK(std::fabs(s.mean) < 0.01 * s.std);
  CHECK(s.std == Approx(std::sqrt(2.0 / (128 * 9))).epsilon(0.01));
  kaiming_uniform_(w, FanMode::In);
  CHECK(stats(w).max_abs <= std::sqrt(2.0) * std::sqrt(3.0 / (64 * 9)) + 1e-7);
}

TEST_CASE("init: BatchNorm2d starts as the identity affine map with fresh statistics") {
  BatchNorm2d bn({.channels = 5});
  for (float v : bn.weight().data()) CHECK(v == 1.f);
  for (float v : bn.bias().data()) CHECK(v == 0.f);
  for (float v : bn.buffer("running_mean")) CHECK(v == 0.f);
  for (float v : bn.buffer("running_var")) CHECK(v == 1.f);
  CHECK(bn.buffer("num_batches_tracked").item() == 0.f);
}

TEST_CASE("init: the global seed makes construction reproducible") {
  manual_seed(42);
  Conv2d a({.in = 3, .out = 4, .kernel = 3});
  manual_seed(42);
  Conv2d b({.in = 3, .out = 4, .kernel = 3});
  CHECK(max_abs_diff(a.weight().data(), b.weight().data()) == 0.f);
  CHECK(max_abs_diff(a.bias().data(), b.bias().data()) == 0.f);
}
