// The CNN ops (conv2d, batch_norm, pooling, dropout, cross_entropy): finite-difference checks of
// every input, the semantics torch users rely on (running statistics, eval mode, dropout
// scaling, label smoothing, large logits), and the errors for bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/kernels/metrics.h"
#include "gradcheck_catch.h"

using namespace excite;
using namespace excite::testing;

namespace {


}  // namespace

TEST_CASE("gradcheck: conv2d, every input, across strides, padding, dilation, groups") {
  Generator gen(61);
  struct Case {
    Shape x, w;
    Conv2dParams p;
  };
  const std::vector<Case> cases = {
      {{2, 3, 5, 6}, {4, 3, 3, 3}, {.pad_h = 1, .pad_w = 1}},
      {{2, 2, 7, 6}, {3, 2, 3, 3}, {.stride_h = 2, .stride_w = 2}},
      {{1, 2, 6, 7}, {2, 2, 3, 3}, {.stride_h = 2, .stride_w = 2, .pad_h = 3, .pad_w = 3}},
      {{2, 2, 7, 7}, {3, 2, 3, 3}, {.pad_h = 2, .pad_w = 2, .dilation_h = 2, .dilation_w = 2}},
      {{2, 4, 5, 5}, {4, 2, 3, 3}, {.pad_h = 1, .pad_w = 1, .groups = 2}},
      {{2, 3, 5, 4}, {3, 1, 3, 3}, {.stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 1, .groups = 3}},  // depthwise
      {{3, 4, 3, 5}, {5, 4, 1, 1}, {}},                                                                 // pointwise
      {{2, 3, 5, 5}, {4, 3, 1, 1}, {.stride_h = 2, .stride_w = 2}},                                     // shortcut
  };
  for (const Case& c : cases) {
    INFO("x " << c.x << " w " << c.w << " groups " << c.p.groups);
    Tensor x = random_input(c.x, gen), w = random_input(c.w, gen), b = random_input({c.w[0]}, gen);
    const Conv2dParams p = c.p;
    expect_grads([p](auto& v) { return conv2d(v[0], v[1], v[2], p); }, {x, w, b});
    expect_grads([p](auto& v) { return conv2d(v[0], v[1], Variable(), p); }, {x, w});
  }
}

TEST_CASE("gradcheck: batch_norm in training and eval mode, with and without affine") {
  Generator gen(62);
  for (const Shape& shape : {Shape{3, 2, 3, 2}, Shape{4, 3}}) {
    INFO("x " << shape);
    const int64_t C = shape[1];
    Tensor x = random_input(shape, gen, -2.f, 2.f), w = random_input({C}, gen, 0.5f, 1.5f),
           b = random_input({C}, gen);
    for (bool training : {true, false}) {
      INFO("training " << training);
      Tensor rm = Tensor::uniform({C}, -0.5f, 0.5f, gen), rv = Tensor::uniform({C}, 0.5f, 1.5f, gen);
      expect_grads([&](auto& v) { return batch_norm(v[0], v[1], v[2], rm, rv, training, 0.1f, 1e-5f); }, {x, w, b});
      expect_grads([&](auto& v) { return batch_norm(v[0], Variable(), Variable(), rm, rv, training, 0.1f, 1e-5f); },
                   {x});
    }
  }
}

TEST_CASE("batch_norm: running statistics and eval mode follow torch") {
  // One channel, values 1..4 (mean 2.5, biased var 1.25, unbiased var 5/3), second channel 0.
  Tensor x = Tensor::from({2, 2, 1, 2}, {1, 2, 0, 0, 3, 4, 0, 0});
  Tensor rm = Tensor::from({2}, {1.f, 1.f}), rv = Tensor::from({2}, {2.f, 2.f});
  Variable w(Tensor::from({2}, {2.f, 1.f})), b(Tensor::from({2}, {0.5f, 0.f}));
  Variable y = batch_norm(Variable(x), w, b, rm, rv, true, 0.1f, 1e-5f);
  CHECK(rm.data()[0] == Approx(0.9 * 1 + 0.1 * 2.5));
  CHECK(rv.data()[0] == Approx(0.9 * 2 + 0.1 * 5.0 / 3.0));
  CHECK(rm.data()[1] == Approx(0.9));
  CHECK(rv.data()[1] == Approx(1.8));
  CHECK(y.data().at({0, 0, 0, 0}) == Approx(2 * (1 - 2.5) / std::sqrt(1.25 + 1e-5) + 0.5));
  CHECK(y.data().at({1, 1, 0, 1}) == Approx(0.0).margin(1e-6));

  Tensor rm_before = rm.clone(), rv_before = rv.clone();
  Variable e = batch_norm(Variable(x), w, b, rm, rv, false, 0.1f, 1e-5f);
  CHECK(max_abs_diff(rm, rm_before) == 0.f);  // eval leaves the running statistics alone
  CHECK(max_abs_diff(rv, rv_before) == 0.f);
  CHECK(e.data().at({1, 0, 0, 1}) == Approx(2 * (4 - rm.data()[0]) / std::sqrt(rv.data()[0] + 1e-5) + 0.5));
}

TEST_CASE("gradcheck: pooling ops") {
  Generator gen(63);
  Tensor x = spaced_input({2, 3, 7, 6}, gen);
  const std::vector<Pool2dParams> params = {
      {},
      {.kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
      {.kernel_h = 3, .kernel_w = 2, .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 0},
      {.kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1, .count_include_pad = false},
  };
  for (const Pool2dParams& p : params) {
    INFO("kernel (" << p.kernel_h << ", " << p.kernel_w << ") stride (" << p.stride_h << ", " << p.stride_w
                    << ") pad (" << p.pad_h << ", " << p.pad_w << ")");
    expect_grads([p](auto& v) { return max_pool2d(v[0], p); }, {x});
    expect_grads([p](auto& v) { return avg_pool2d(v[0], p); }, {x});
  }
  expect_grads([](auto& v) { return global_avg_pool(v[0]); }, {x});
  expect_grads([](auto& v) { return global_max_pool(v[0]); }, {x});
}

TEST_CASE("pooling: values follow torch (padding is -inf for max, counted for avg by default)") {
  Tensor x = Tensor::from({1, 1, 2, 2}, {-1.f, -2.f, -3.f, -4.f});
  const Pool2dParams p{.kernel_h = 2, .kernel_w = 2, .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1};
  CHECK(max_pool2d(Variable(x), p).data().to_vector() ==
        std::vector<float>{-1, -1, -2, -1, -1, -2, -3, -3, -4});
  Variable a = avg_pool2d(Variable(x), p);
  CHECK(a.data().at({0, 0, 0, 0}) == Approx(-0.25));  // one real pixel, divisor 4
  Pool2dParams q = p;
  q.count_include_pad = false;
  CHECK(avg_pool2d(Variable(x), q).data().at({0, 0, 0, 0}) == Approx(-1.0));
  CHECK(global_avg_pool(Variable(x)).data().item() == Approx(-2.5));
  CHECK(global_max_pool(Variable(x)).data().item() == -1.f);
}

TEST_CASE("gradcheck and semantics: dropout") {
  Generator gen(64);
  Tensor x = random_input({3, 4, 5}, gen);
  // A fresh generator per call: the same mask in every evaluation of the finite difference.
  expect_grads([](auto& v) {
    Generator g(5);
    return dropout(v[0], 0.3f, true, g);
  }, {x});

  Tensor ones = Tensor::ones({100000});
  Generator g(6);
  Tensor y = dropout(Variable(ones), 0.25f, true, g).data();
  int64_t kept = 0;
  for (float v : y) {
    CHECK((v == 0.f || std::abs(v - 1.f / 0.75f) < 1e-6f));
    kept += v != 0.f;
  }
  CHECK(std::abs(static_cast<double>(kept) / 100000 - 0.75) < 0.01);
  Generator g1(7), g2(7);  // the generator fixes the mask
  CHECK(max_abs_diff(dropout(Variable(ones), 0.5f, true, g1).data(), dropout(Variable(ones), 0.5f, true, g2).data()) ==
        0.f);
  CHECK(max_abs_diff(dropout(Variable(x), 0.5f, false).data(), x) == 0.f);  // eval: identity
  CHECK(max_abs_diff(dropout(Variable(x), 1.f, true).data(), Tensor::zeros(x.shape())) == 0.f);
}

TEST_CASE("gradcheck: cross_entropy with and without label smoothing") {
  Generator gen(65);
  Tensor z = random_input({5, 7}, gen, -3.f, 3.f);
  const std::vector<int64_t> labels{0, 6, 3, 3, 1};
  for (float e : {0.f, 0.1f}) {
    INFO("label_smoothing " << e);
    expect_grads([&](auto& v) { return cross_entropy(v[0], labels, e); }, {z});
  }
}

TEST_CASE("cross_entropy: values, large logits, smoothing") {
  // Uniform logits: loss log K whatever the label and the smoothing.
  Variable u(Tensor::zeros({2, 4}));
  CHECK(cross_entropy(u, {0, 3}).item() == Approx(std::log(4.0)));
  CHECK(cross_entropy(u, {0, 3}, 0.3f).item() == Approx(std::log(4.0)));
  // Large logits: finite, and equal to the shifted problem.
  Variable big(Tensor::from({1, 3}, {1000.f, 1001.f, 999.f}));
  Variable small(Tensor::from({1, 3}, {0.f, 1.f, -1.f}));
  CHECK(cross_entropy(big, {2}).item() == Approx(cross_entropy(small, {2}).item()).epsilon(1e-4));
  CHECK(cross_entropy(big, {2}, 0.2f).item() == Approx(cross_entropy(small, {2}, 0.2f).item()).epsilon(1e-4));
  // Smoothing e: (1 - e) nll + e * mean over classes of -log p.
  const double lse = std::log(std::exp(0.0) + std::exp(1.0) + std::exp(-1.0));
  const double nll = lse - (-1.0), smooth = lse - 0.0 / 3.0;
  CHECK(cross_entropy(small, {2}, 0.2f).item() == Approx(0.8 * nll + 0.2 * smooth));
}

TEST_CASE("CNN ops: bad input gives errors naming the op and the shapes") {
  Variable x(Tensor::zeros({2, 3, 5, 5}));
  Variable w(Tensor::zeros({4, 2, 3, 3}));
  CHECK_THROWS_WITH(conv2d(x, w, Variable(), {}), Catch::Contains("conv2d") && Catch::Contains("[2, 3, 5, 5]") &&
                                                       Catch::Contains("[4, 2, 3, 3]"));
  CHECK_THROWS_WITH(conv2d(Variable(Tensor::zeros({3, 5, 5})), w, Variable(), {}),
                    Catch::Contains("conv2d") && Catch::Contains("[3, 5, 5]"));
  CHECK_THROWS_WITH(conv2d(x, Variable(Tensor::zeros({4, 3, 3, 3})), Variable(Tensor::zeros({5})), {}),
                    Catch::Contains("conv2d") && Catch::Contains("bias [5]"));
  CHECK_THROWS_WITH(conv2d(x, Variable(Tensor::zeros({4, 3, 7, 7})), Variable(), {}),
                    Catch::Contains("conv2d") && Catch::Contains("smaller"));
  CHECK_THROWS_WITH(conv2d(x, Variable(Tensor::zeros({4, 1, 3, 3})), Variable(), {.groups = 2}),
                    Catch::Contains("conv2d"));

  Tensor rm = Tensor::zeros({4}), rv = Tensor::ones({4});
  CHECK_THROWS_WITH(batch_norm(x, Variable(), Variable(), rm, rv, true, 0.1f, 1e-5f),
                    Catch::Contains("batch_norm") && Catch::Contains("[4]") && Catch::Contains("[2, 3, 5, 5]"));
  Tensor rm1 = Tensor::zeros({3}), rv1 = Tensor::ones({3});
  CHECK_THROWS_WITH(batch_norm(Variable(Tensor::zeros({1, 3, 1, 1})), Variable(), Variable(), rm1, rv1, true, 0.1f,
                               1e-5f),
                    Catch::Contains("batch_norm") && Catch::Contains("more than 1 value"));

  CHECK_THROWS_WITH(max_pool2d(Variable(Tensor::zeros({2, 3, 5})), {}), Catch::Contains("max_pool2d"));
  CHECK_THROWS_WITH(avg_pool2d(x, {.kernel_h = 2, .kernel_w = 2, .pad_h = 2, .pad_w = 2}),
                    Catch::Contains("avg_pool2d") && Catch::Contains("padding"));
  CHECK_THROWS_WITH(max_pool2d(x, {.kernel_h = 7, .kernel_w = 7}),
                    Catch::Contains("max_pool2d") && Catch::Contains("[2, 3, 5, 5]"));
  CHECK_THROWS_WITH(global_avg_pool(Variable(Tensor::zeros({2, 3}))), Catch::Contains("global_avg_pool"));
  CHECK_THROWS_WITH(dropout(x, 1.5f, true), Catch::Contains("dropout"));

  Variable z(Tensor::zeros({2, 10}));
  CHECK_THROWS_WITH(cross_entropy(z, {0, 10}), Catch::Contains("cross_entropy") && Catch::Contains("label 10") &&
                                                   Catch::Contains("[2, 10]"));
  CHECK_THROWS_WITH(cross_entropy(z, {0, -1}), Catch::Contains("label -1"));
  CHECK_THROWS_WITH(cross_entropy(z, {0}), Catch::Contains("cross_entropy") && Catch::Contains("need 2 labels, got 1"));
  CHECK_THROWS_WITH(cross_entropy(Variable(Tensor::zeros({2, 3, 4})), {0, 1}), Catch::Contains("[2, 3, 4]"));
}

TEST_CASE("topk_correct on logits from the ops") {
  Variable z(Tensor::from({2, 3}, {0.f, 2.f, 1.f, 5.f, 4.f, 3.f}));
  CHECK(topk_correct(z.data(), {1, 1}, 1) == 1);
  CHECK(topk_correct(z.data(), {1, 1}, 2) == 2);
}

TEST_CASE("gradcheck: batch_norm_relu (fused) in training and eval mode, with and without affine") {
  Generator gen(63);
  for (const Shape& shape : {Shape{3, 2, 3, 2}, Shape{4, 3}}) {
    INFO("x " << shape);
    const int64_t C = shape[1];
    Tensor x = random_input(shape, gen, -2.f, 2.f), w = random_input({C}, gen, 0.5f, 1.5f),
           b = random_input({C}, gen);
    for (bool training : {true, false}) {
      INFO("training " << training);
      Tensor rm = Tensor::uniform({C}, -0.5f, 0.5f, gen), rv = Tensor::uniform({C}, 0.5f, 1.5f, gen);
      expect_grads([&](auto& v) { return batch_norm_relu(v[0], v[1], v[2], rm, rv, training, 0.1f, 1e-5f); },
                   {x, w, b});
      expect_grads(
          [&](auto& v) { return batch_norm_relu(v[0], Variable(), Variable(), rm, rv, training, 0.1f, 1e-5f); }, {x});
    }
  }
}

TEST_CASE("batch_norm_relu and add_relu equal their unfused twins, values and gradients") {
  Generator gen(64);
  const int64_t C = 5;
  Tensor x = Tensor::uniform({6, C, 7, 3}, -2.f, 2.f, gen), r = Tensor::uniform({6, C, 7, 3}, -2.f, 2.f, gen);
  Tensor w = Tensor::uniform({C}, 0.5f, 1.5f, gen), b = Tensor::uniform({C}, -0.5f, 0.5f, gen);
  Tensor g = Tensor::uniform(x.shape(), -1.f, 1.f, gen);
  for (bool training : {true, false}) {
    INFO("training " << training);
    Tensor rm1 = Tensor::uniform({C}, -0.5f, 0.5f, gen), rv1 = Tensor::uniform({C}, 0.5f, 1.5f, gen);
    Tensor rm2 = rm1.clone(), rv2 = rv1.clone();
    auto run = [&](bool fused, Tensor& rm, Tensor& rv) {
      Variable vx(x.clone(), true), vw(w.clone(), true), vb(b.clone(), true), vr(r.clone(), true);
      Variable y = fused ? add_relu(batch_norm_relu(vx, vw, vb, rm, rv, training, 0.1f, 1e-5f), vr)
                         : relu(relu(batch_norm(vx, vw, vb, rm, rv, training, 0.1f, 1e-5f)) + vr);
      y.backward(g);
      return std::vector<Tensor>{y.data(), vx.grad(), vw.grad(), vb.grad(), vr.grad()};
    };
    std::vector<Tensor> fused = run(true, rm1, rv1), plain = run(false, rm2, rv2);
    for (size_t i = 0; i < fused.size(); ++i) {
      INFO("result " << i);
      CHECK(max_abs_diff(fused[i], plain[i]) < 1e-5f);
    }
    CHECK(max_abs_diff(rm1, rm2) == 0.f);
    CHECK(max_abs_diff(rv1, rv2) == 0.f);
  }
}

TEST_CASE("channel_scale_add_relu equals relu(channel_scale(x, s) + r), values and gradients, and passes gradcheck") {
  Generator gen(65);
  Tensor x = Tensor::uniform({3, 4, 5, 7}, -2.f, 2.f, gen), s = Tensor::uniform({3, 4}, 0.f, 1.f, gen);
  Tensor r = Tensor::uniform(x.shape(), -2.f, 2.f, gen), g = Tensor::uniform(x.shape(), -1.f, 1.f, gen);
  auto run = [&](bool fused) {
    Variable vx(x.clone(), true), vs(s.clone(), true), vr(r.clone(), true);
    Variable y = fused ? channel_scale_add_relu(vx, vs, vr) : add_relu(channel_scale(vx, vs), vr);
    y.backward(g);
    return std::vector<Tensor>{y.data(), vx.grad(), vs.grad(), vr.grad()};
  };
  std::vector<Tensor> fused = run(true), plain = run(false);
  for (size_t i = 0; i < fused.size(); ++i) {
    INFO("result " << i);
    CHECK(max_abs_diff(fused[i], plain[i]) < 1e-5f);
  }
  expect_grads([](auto& v) { return channel_scale_add_relu(v[0], v[1], v[2]); },
               {random_input({2, 3, 4, 5}, gen), random_input({2, 3}, gen), random_input({2, 3, 4, 5}, gen, -2.f, 2.f)});
  CHECK_THROWS_WITH(channel_scale_add_relu(Variable(x), Variable(s), Variable(Tensor({3, 4, 5, 6}))),
                    Catch::Contains("r like x"));
}
