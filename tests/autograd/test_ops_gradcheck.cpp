// Gradient check of every foundation op, for every input, on random shapes.
#include <catch2/catch.hpp>

#include "core/kernels/conv.h"
#include "gradcheck_catch.h"

using namespace excite;
using namespace excite::testing;

TEST_CASE("gradcheck: binary ops with broadcasting") {
  Generator gen(1);
  const std::vector<std::pair<Shape, Shape>> pairs = {
      {{3, 4}, {3, 4}}, {{5, 4}, {4}}, {{2, 3, 4, 5}, {1, 3, 1, 1}}, {{2, 3, 1}, {1, 1, 4}}, {{4}, {}}};
  for (auto& [sa, sb] : pairs) {
    INFO(sa << " with " << sb);
    Tensor a = random_input(sa, gen), b = random_input(sb, gen, 0.5f, 1.5f);
    expect_grads([](auto& v) { return add(v[0], v[1]); }, {a, b});
    expect_grads([](auto& v) { return sub(v[0], v[1]); }, {a, b});
    expect_grads([](auto& v) { return mul(v[0], v[1]); }, {a, b});
    expect_grads([](auto& v) { return div(v[0], v[1]); }, {a, b});
  }
}

TEST_CASE("gradcheck: unary ops and activations") {
  Generator gen(2);
  Tensor x = random_input({2, 3, 5}, gen, -2.f, 2.f);
  expect_grads([](auto& v) { return neg(v[0]); }, {x});
  expect_grads([](auto& v) { return v[0] * 3.f + 1.f; }, {x});
  expect_grads([](auto& v) { return exp(v[0]); }, {x});
  expect_grads([](auto& v) { return log(v[0]); }, {random_input({7}, gen, 0.5f, 3.f)});
  expect_grads([](auto& v) { return relu(v[0]); }, {x});
  expect_grads([](auto& v) { return add_relu(v[0], v[1]); }, {x, random_input({2, 3, 5}, gen, -2.f, 2.f)});
  expect_grads([](auto& v) { return sigmoid(v[0]); }, {x});
  expect_grads([](auto& v) { return tanh(v[0]); }, {x});
  expect_grads([](auto& v) { return silu(v[0]); }, {x});
  Tensor h = random_input({4, 6}, gen, -5.f, 5.f);
  for (float& e : h)
    if (std::abs(std::abs(e) - 3.f) < 0.05f) e = 1.f;  // off the kinks at +-3
  expect_grads([](auto& v) { return hardsigmoid(v[0]); }, {h});
}

TEST_CASE("gradcheck: reductions and reshapes") {
  Generator gen(3);
  Tensor x = random_input({2, 3, 4}, gen);
  expect_grads([](auto& v) { return sum(v[0]); }, {x});
  expect_grads([](auto& v) { return mean(v[0]); }, {x});
  expect_grads([](auto& v) { return sum(v[0], {1}); }, {x});
  expect_grads([](auto& v) { return mean(v[0], {0, 2}, true); }, {x});
  expect_grads([](auto& v) { return mean(v[0], {-1}); }, {x});
  expect_grads([](auto& v) { return reshape(v[0], {4, 6}); }, {x});
  expect_grads([](auto& v) { return flatten(v[0]); }, {x});
}

TEST_CASE("gradcheck: matmul, linear, channel_scale") {
  Generator gen(4);
  expect_grads([](auto& v) { return matmul(v[0], v[1]); }, {random_input({3, 5}, gen), random_input({5, 2}, gen)});
  expect_grads([](auto& v) { return linear(v[0], v[1], v[2]); },
               {random_input({4, 6}, gen), random_input({3, 6}, gen), random_input({3}, gen)});
  expect_grads([](auto& v) { return linear(v[0], v[1], Variable()); },
               {random_input({4, 6}, gen), random_input({3, 6}, gen)});
  expect_grads([](auto& v) { return channel_scale(v[0], v[1]); },
               {random_input({2, 3, 4, 5}, gen), random_input({2, 3}, gen)});
}

TEST_CASE("gradcheck: a graph that uses one input twice, and a diamond") {
  Generator gen(5);
  Tensor x = random_input({3, 4}, gen);
  expect_grads([](auto& v) { return mul(v[0], v[0]); }, {x});
  expect_grads([](auto& v) {
    Variable a = sigmoid(v[0]);
    Variable b = tanh(v[0]);
    return add(mul(a, b), a);
  }, {x});
}

TEST_CASE("engine: a gradient summed in place never changes one another variable holds") {
  // add hands one tensor to both of its inputs; x's other gradients (from mul) are its own. The
  // engine adds into whichever gradient no one else holds, in either order of arrival.
  for (bool add_first : {true, false}) {
    INFO("add " << (add_first ? "first" : "last"));
    Variable x(Tensor::from({2}, {1.f, 2.f}), true), w(Tensor::from({2}, {5.f, 6.f}), true);
    Variable shared = sum(add(x, w)), own = sum(mul(x, x));
    Variable y = add_first ? add(shared, own) : add(own, shared);
    y.backward();
    CHECK(x.grad()[0] == Approx(3.f));  // 1 + 2x
    CHECK(x.grad()[1] == Approx(5.f));
    CHECK(w.grad()[0] == Approx(1.f));
    CHECK(w.grad()[1] == Approx(1.f));
  }
  // Both of x's gradients the one tensor both adds hand on, which w holds too: out of place.
  Variable x(Tensor::from({2}, {1.f, 2.f}), true), w(Tensor::from({2}, {5.f, 6.f}), true);
  sum(add(add(x, w), x)).backward();
  CHECK(x.grad()[0] == Approx(2.f));
  CHECK(w.grad()[0] == Approx(1.f));
}

TEST_CASE("engine: conv2d adds its input gradient into the one its input holds, never into a shared one") {
  // x feeds a 3x3 conv and, as itself (add hands one tensor to both inputs: shared, not taken) or
  // through relu (its own tensor: taken), the join; x.grad = the conv's input gradient + the other,
  // and the weight's gradient (computed after dx, from the same dy) is untouched by the sum.
  Generator gen(31);
  const ConvGeometry g{.N = 2, .C = 3, .H = 5, .W = 6, .OC = 3, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1};
  Tensor w = Tensor::uniform({3, 3, 3, 3}, -1, 1, gen), x0 = Tensor::uniform({2, 3, 5, 6}, -1, 1, gen);
  Tensor dx_conv(x0.shape()), dw(w.shape());
  const Tensor ones = Tensor::ones(x0.shape());
  conv2d_backward_naive(ones.data(), x0.data(), w.data(), dx_conv.data(), dw.data(), nullptr, g);
  for (bool through_relu : {false, true}) {
    INFO((through_relu ? "relu(x)" : "x") << " beside the conv");
    Variable x(x0.clone(), true), wv(w.clone(), true);
    Variable c = conv2d(x, wv, Variable(), Conv2dParams{.pad_h = 1, .pad_w = 1});
    sum(add(c, through_relu ? relu(x) : x)).backward();
    for (int64_t i = 0; i < x0.numel(); ++i) {
      const float other = through_relu ? (x0[i] > 0.f ? 1.f : 0.f) : 1.f;
      CHECK(x.grad()[i] == Approx(dx_conv[i] + other).margin(1e-5));
    }
    CHECK(max_abs_diff(wv.grad(), dw) < 1e-4f);
    // A second backward adds to x.grad (a leaf's gradient accumulates), but never into a copy of
    // it someone holds.
    const Tensor first = x.grad(), kept = first.clone();
    Variable c2 = conv2d(x, wv, Variable(), Conv2dParams{.pad_h = 1, .pad_w = 1});
    sum(add(c2, through_relu ? relu(x) : x)).backward();
    CHECK(max_abs_diff(first, kept) == 0.f);
    for (int64_t i = 0; i < x0.numel(); ++i) CHECK(x.grad()[i] == Approx(2.f * kept[i]).margin(1e-5));
  }
}

TEST_CASE("engine: accumulation, no-grad, freed graph, errors") {
  Variable x(Tensor::from({2}, {1.f, 2.f}), true);
  Variable y = sum(mul(x, x));  // dy/dx = 2x
  y.backward();
  CHECK(x.grad()[0] == Approx(2.f));
  CHECK(x.grad()[1] == Approx(4.f));
  CHECK(y.is_leaf());  // the graph is freed after backward
  Variable y2 = sum(x);
  y2.backward();  // gradients accumulate across backward calls
  CHECK(x.grad()[1] == Approx(5.f));
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
  {
    NoGradGuard guard;
    Variable z = mul(x, x);
    CHECK_FALSE(z.requires_grad());
    CHECK_THROWS_WITH(sum(z).backward(), Catch::Contains("does not require grad"));
  }
  Variable v = mul(x, x);
  CHECK_THROWS_WITH(v.backward(), Catch::Contains("needs a scalar"));
  CHECK_THROWS_WITH(add(Variable(Tensor::zeros({2, 3})), Variable(Tensor::zeros({4}))),
                    Catch::Contains("add: shapes [2, 3] and [4] cannot be broadcast"));
  CHECK_THROWS_WITH(matmul(Variable(Tensor::zeros({2, 3})), Variable(Tensor::zeros({2, 3}))),
                    Catch::Contains("matmul: expected [M, K] x [K, N], got [2, 3] x [2, 3]"));
}

TEST_CASE("engine: a deep chain does not overflow the stack") {
  Variable x(Tensor::ones({1}), true);
  Variable y = x;
  for (int i = 0; i < 100000; ++i) y = add_scalar(y, 0.f);
  sum(y).backward();
  CHECK(x.grad()[0] == 1.f);
}

TEST_CASE("gradcheck itself catches a wrong backward") {
  // y = x^2 with a backward that forgets the factor 2.
  auto wrong_square = [](const std::vector<Variable>& v) {
    Tensor y = v[0].data().clone();
    for (float& e : y) e *= e;
    return make_result(y, "wrong_square", {v[0]}, [x = v[0].data()](const Tensor& g) {
      Tensor dx = g.clone();
      for (int64_t i = 0; i < dx.numel(); ++i) dx.data()[i] *= x.data()[i];
      return std::vector<Tensor>{dx};
    });
  };
  Generator gen(6);
  GradCheckResult r = check_gradients(wrong_square, {random_input({5}, gen, 0.5f, 1.f)});
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.report, Catch::Contains("input 0 [5]"));
}
