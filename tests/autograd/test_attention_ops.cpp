// The attention primitives (channel_mean, channel_max, spatial_scale, channel_conv1d,
// upsample_nearest, cat): finite-difference checks of every input, agreement with the generic
// ops they specialise (mean over dim 1, broadcasting mul, conv2d, slicing by hand), the tie rules,
// and the errors for bad shapes. The "[.bench]" case (not run by CTest) times the dedicated ops
// against the generic ones: build/tests/test_autograd "[.bench]".
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <numeric>

#include "gradcheck_catch.h"

using namespace excite;
using namespace excite::testing;

namespace {

void expect_equal(const Tensor& a, const Tensor& b, float tol) {
  REQUIRE(a.shape() == b.shape());
  INFO("max |a - b| = " << max_abs_diff(a, b));
  CHECK(max_abs_diff(a, b) <= tol);
}

}  // namespace

TEST_CASE("gradcheck: channel_mean, channel_max (both tie rules), spatial_scale") {
  Generator gen(171);
  for (const Shape& shape : {Shape{2, 5, 3, 4}, Shape{1, 1, 2, 3}, Shape{3, 4, 1, 1}}) {
    INFO("x " << shape);
    expect_grads([](auto& v) { return channel_mean(v[0]); }, {random_input(shape, gen)});
    const Tensor x = spaced_input(shape, gen);
    expect_grads([](auto& v) { return channel_max(v[0]); }, {x});
    expect_grads([](auto& v) { return channel_max(v[0], MaxTies::Split); }, {x});
    const Shape map({shape[0], 1, shape[2], shape[3]});
    expect_grads([](auto& v) { return spatial_scale(v[0], v[1]); }, {random_input(shape, gen), random_input(map, gen)});
  }
}

TEST_CASE("gradcheck: channel_conv1d, every input, padded, unpadded, even and wider-than-C kernels") {
  Generator gen(172);
  struct Case {
    int64_t N, C, K, pad;
  };
  for (const Case& c : {Case{2, 8, 3, 1}, Case{3, 16, 5, 2}, Case{2, 5, 7, 3}, Case{2, 9, 3, 0}, Case{1, 6, 4, 1},
                        Case{2, 4, 1, 0}}) {
    INFO("v [" << c.N << ", " << c.C << "], K " << c.K << ", pad " << c.pad);
    const int64_t pad = c.pad;
    expect_grads([pad](auto& v) { return channel_conv1d(v[0], v[1], pad); },
                 {random_input({c.N, c.C}, gen), random_input({1, 1, c.K}, gen)});
  }
}

TEST_CASE("gradcheck: upsample_nearest (enlarging, shrinking, 1x1) and cat along each dimension") {
  Generator gen(173);
  struct Case {
    Shape x;
    int64_t oh, ow;
  };
  for (const Case& c : {Case{{2, 3, 2, 3}, 5, 7}, Case{{1, 2, 4, 4}, 7, 7}, Case{{2, 2, 5, 6}, 3, 4},
                        Case{{2, 3, 1, 1}, 4, 3}, Case{{1, 2, 3, 3}, 3, 3}}) {
    INFO("x " << c.x << " -> (" << c.oh << ", " << c.ow << ")");
    const int64_t oh = c.oh, ow = c.ow;
    expect_grads([oh, ow](auto& v) { return upsample_nearest(v[0], oh, ow); }, {random_input(c.x, gen)});
  }
  expect_grads([](auto& v) { return cat({v[0], v[1]}, 1); },
               {random_input({2, 1, 3, 4}, gen), random_input({2, 1, 3, 4}, gen)});
  expect_grads([](auto& v) { return cat({v[0], v[1], v[2]}, 1); },
               {random_input({2, 1, 2, 3}, gen), random_input({2, 3, 2, 3}, gen), random_input({2, 2, 2, 3}, gen)});
  expect_grads([](auto& v) { return cat({v[0], v[1]}, 0); }, {random_input({1, 2, 3}, gen), random_input({3, 2, 3}, gen)});
  expect_grads([](auto& v) { return cat({v[0], v[1]}, -1); }, {random_input({2, 3, 2}, gen), random_input({2, 3, 5}, gen)});
  // One input not requiring grad: it gets none, the other still does.
  Variable a(random_input({2, 1, 2, 2}, gen), true), b(random_input({2, 1, 2, 2}, gen), false);
  sum(cat({a, b}, 1)).backward();
  CHECK(a.grad().defined());
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("attention ops equal the generic ops they specialise") {
  Generator gen(174);
  const Variable x(Tensor::uniform({3, 6, 5, 7}, -1, 1, gen));
  expect_equal(channel_mean(x).data(), mean(x, {1}, true).data(), 1e-6f);

  const Variable s(Tensor::uniform({3, 1, 5, 7}, 0, 1, gen));
  expect_equal(spatial_scale(x, s).data(), mul(x, s).data(), 0.f);

  // channel_conv1d = conv2d on v as [N, 1, 1, C] with w as [1, 1, 1, K], padding (0, pad).
  const Variable v(Tensor::uniform({4, 24}, -1, 1, gen), true), w(Tensor::uniform({1, 1, 5}, -1, 1, gen), true);
  const Variable v2(v.data().clone(), true), w2(w.data().clone(), true);
  Variable y = channel_conv1d(v, w, 2);
  Variable y2 = reshape(conv2d(reshape(v2, {4, 1, 1, 24}), reshape(w2, {1, 1, 1, 5}), Variable(), {.pad_w = 2}), {4, 24});
  expect_equal(y.data(), y2.data(), 1e-6f);
  const Tensor g = Tensor::uniform({4, 24}, -1, 1, gen);
  y.backward(g);
  y2.backward(g);
  expect_equal(v.grad(), v2.grad(), 1e-6f);
  expect_equal(w.grad(), w2.grad(), 1e-5f);

  // cat along channels, then cut back by hand.
  const Variable a(Tensor::uniform({2, 1, 3, 4}, -1, 1, gen)), b(Tensor::uniform({2, 2, 3, 4}, -1, 1, gen));
  const Tensor c = cat({a, b}, 1).data();
  REQUIRE(c.shape() == Shape({2, 3, 3, 4}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t i = 0; i < 12; ++i) {
        const float want = ch == 0 ? a.data()[n * 12 + i] : b.data()[(n * 2 + ch - 1) * 12 + i];
        CHECK(c[(n * 3 + ch) * 12 + i] == want);
      }
}

TEST_CASE("channel_max: the tie rules, first as torch.max(dim), split as torch.amax") {
  // Pixel 0: channels 1 and 2 tie at 3; pixel 1: all three tie at 0.
  Variable x(Tensor::from({1, 3, 1, 2}, {1, 0, 3, 0, 3, 0}), true);
  Variable m = channel_max(x);
  CHECK(m.data().to_vector() == std::vector<float>{3, 0});
  m.backward(Tensor::from({1, 1, 1, 2}, {1.f, 3.f}));
  CHECK(x.grad().to_vector() == std::vector<float>{0, 3, 1, 0, 0, 0});
  Variable x2(x.data().clone(), true);
  channel_max(x2, MaxTies::Split).backward(Tensor::from({1, 1, 1, 2}, {1.f, 3.f}));
  CHECK(x2.grad().to_vector() == std::vector<float>{0, 1, 0.5f, 1, 0.5f, 1});
}

TEST_CASE("attention ops: bad shapes get errors that name the op and the shapes") {
  const Variable x(Tensor::zeros({2, 3, 4, 5}));
  CHECK_THROWS_WITH(channel_mean(Variable(Tensor::zeros({2, 3}))), Catch::Contains("channel_mean") && Catch::Contains("[2, 3]"));
  CHECK_THROWS_WITH(channel_max(Variable(Tensor::zeros({3, 4, 5}))), Catch::Contains("channel_max"));
  CHECK_THROWS_WITH(spatial_scale(x, Variable(Tensor::zeros({2, 3, 4, 5}))),
                    Catch::Contains("spatial_scale") && Catch::Contains("channel_scale"));
  CHECK_THROWS_WITH(spatial_scale(x, Variable(Tensor::zeros({2, 1, 5, 4}))), Catch::Contains("[2, 1, 5, 4]"));
  CHECK_THROWS_WITH(channel_conv1d(x, Variable(Tensor::zeros({1, 1, 3})), 1), Catch::Contains("global_avg_pool"));
  CHECK_THROWS_WITH(channel_conv1d(Variable(Tensor::zeros({2, 8})), Variable(Tensor::zeros({1, 3})), 1),
                    Catch::Contains("[1, 1, K]"));
  CHECK_THROWS_WITH(channel_conv1d(Variable(Tensor::zeros({2, 2})), Variable(Tensor::zeros({1, 1, 7})), 0),
                    Catch::Contains("leaves no output"));
  CHECK_THROWS_WITH(channel_conv1d(Variable(Tensor::zeros({2, 8})), Variable(Tensor::zeros({1, 1, 3})), -1),
                    Catch::Contains("padding -1"));
  CHECK_THROWS_WITH(upsample_nearest(x, 0, 4), Catch::Contains("upsample_nearest"));
  CHECK_THROWS_WITH(upsample_nearest(Variable(Tensor::zeros({2, 3})), 4, 4), Catch::Contains("[N, C, H, W]"));
  CHECK_THROWS_WITH(cat({}, 1), Catch::Contains("cat"));
  CHECK_THROWS_WITH(cat({x, Variable(Tensor::zeros({2, 3, 4, 6}))}, 1),
                    Catch::Contains("[2, 3, 4, 6]") && Catch::Contains("except along dimension 1"));
  CHECK_THROWS_WITH(cat({x}, 4), Catch::Contains("out of range"));
}

TEST_CASE("attention ops against the generic ops: time per call", "[.bench]") {
  // Interleaved A/B in one process (the machine is shared: only the ratio means something).
  Generator gen(175);
  auto time = [](auto&& fn, int reps) {
    fn();
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) fn();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reps;
  };
  auto report = [](const char* what, double a, double b) {
    std::cout << what << ": dedicated " << a << " us, generic " << b << " us (x" << b / a << ")\n";
  };
  for (int round = 0; round < 3; ++round) {
    // ECA on a CIFAR-ResNet stage-3 squeeze and an ImageNet stage-4 one.
    for (int64_t C : {64, 512}) {
      const int64_t N = 128, K = C == 64 ? 3 : 5, pad = (K - 1) / 2;
      Variable v(Tensor::uniform({N, C}, -1, 1, gen), true), w(Tensor::uniform({1, 1, K}, -1, 1, gen), true);
      const Tensor g = Tensor::uniform({N, C}, -1, 1, gen);
      const double a = time([&] { channel_conv1d(v, w, pad).backward(g); }, 200);
      const double b = time([&] {
        reshape(conv2d(reshape(v, {N, 1, 1, C}), reshape(w, {1, 1, 1, K}), Variable(), {.pad_w = pad}), {N, C}).backward(g);
      }, 200);
      std::cout << "channel_conv1d N " << N << " C " << C << " K " << K << " (forward + backward)";
      report("", a, b);
    }
    // CBAM's maps and scale on a 128 x 64 x 8 x 8 activation (stage 3 of a CIFAR ResNet).
    Variable x(Tensor::uniform({128, 64, 8, 8}, -1, 1, gen), true), s(Tensor::uniform({128, 1, 8, 8}, 0, 1, gen), true);
    const Tensor gm = Tensor::uniform({128, 1, 8, 8}, -1, 1, gen), gy = Tensor::uniform(x.shape(), -1, 1, gen);
    report("channel_mean vs mean(x, {1}, true)", time([&] { channel_mean(x).backward(gm); }, 50),
           time([&] { mean(x, {1}, true).backward(gm); }, 50));
    report("spatial_scale vs mul (broadcast)", time([&] { spatial_scale(x, s).backward(gy); }, 50),
           time([&] { mul(x, s).backward(gy); }, 50));
  }
}
