// Optimizers on the quadratic f(p) = |p|^2 / 2 (gradient = p), against values worked out by hand
// from torch's update rules (written next to each check), plus groups, state and errors.
#include <catch2/catch.hpp>

#include "apps/optim/optim_adamw.h"
#include "apps/optim/optim_sgd.h"

using namespace excite;
using namespace excite::optim;

namespace {

// p0 = [1, -2]; each step sets the gradient of f(p) = |p|^2 / 2, i.e. p itself.
Variable start() { return Variable(Tensor::from({2}, {1.f, -2.f}), true); }
void quadratic_grad(Variable& p) { p.grad() = p.data().clone(); }

// Runs `steps` steps and returns p / p0 for the first element (all elements scale alike for SGD).
template <typename Opt, typename Options>
std::vector<float> sgd_ratios(const Options& options, int steps) {
  Variable p = start();
  Opt opt(std::vector<Variable>{p}, options);
  std::vector<float> out;
  for (int i = 0; i < steps; ++i) {
    quadratic_grad(p);
    opt.step();
    out.push_back(p.data()[0]);
    CHECK(p.data()[1] == Approx(-2.f * p.data()[0]));
  }
  return out;
}

}  // namespace

TEST_CASE("SGD: plain, momentum, Nesterov, dampening on a quadratic") {
  // plain: p <- p - 0.1 p = 0.9 p
  auto plain = sgd_ratios<SGD>(SGDOptions{.lr = 0.1f}, 2);
  CHECK(plain[0] == Approx(0.9f));
  CHECK(plain[1] == Approx(0.81f));
  // momentum 0.9: buf1 = g1 = p0, p1 = 0.9 p0; buf2 = 0.9 p0 + 0.9 p0 = 1.8 p0, p2 = 0.9 p0 - 0.18 p0;
  // buf3 = 0.9 * 1.8 p0 + 0.72 p0 = 2.34 p0, p3 = 0.72 p0 - 0.234 p0.
  auto mom = sgd_ratios<SGD>(SGDOptions{.lr = 0.1f, .momentum = 0.9f}, 3);
  CHECK(mom[0] == Approx(0.9f));
  CHECK(mom[1] == Approx(0.72f));
  CHECK(mom[2] == Approx(0.486f));
  // Nesterov: d1 = g + 0.9 buf1 = 1.9 p0, p1 = 0.81 p0; buf2 = 0.9 p0 + 0.81 p0 = 1.71 p0,
  // d2 = 0.81 p0 + 0.9 * 1.71 p0 = 2.349 p0, p2 = 0.81 p0 - 0.2349 p0.
  auto nes = sgd_ratios<SGD>(SGDOptions{.lr = 0.1f, .momentum = 0.9f, .nesterov = true}, 2);
  CHECK(nes[0] == Approx(0.81f));
  CHECK(nes[1] == Approx(0.5751f));
  // dampening 0.5: the first buffer is the gradient undamped (torch), then buf2 = 0.9 p0 + 0.5 * 0.9 p0.
  auto damp = sgd_ratios<SGD>(SGDOptions{.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f}, 2);
  CHECK(damp[0] == Approx(0.9f));
  CHECK(damp[1] == Approx(0.765f));
  // coupled weight decay 0.5 adds 0.5 p to the gradient: p1 = p0 - 0.1 * 1.5 p0.
  auto wd = sgd_ratios<SGD>(SGDOptions{.lr = 0.1f, .weight_decay = 0.5f}, 1);
  CHECK(wd[0] == Approx(0.85f));
}

TEST_CASE("SGD: split_decay keeps 1-d parameters out of weight decay") {
  Variable w(Tensor::ones({2, 2}), true), b(Tensor::ones({2}), true);
  auto groups = split_decay({{"fc.weight", w}, {"fc.bias", b}});
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].params.size() == 1);
  CHECK(groups[0].params[0].name == "fc.weight");
  CHECK(groups[1].params[0].name == "fc.bias");
  CHECK(groups[1].weight_decay == 0.f);
  SGD opt(groups, {.lr = 0.1f, .weight_decay = 0.5f});
  w.grad() = Tensor::zeros({2, 2});
  b.grad() = Tensor::zeros({2});
  opt.step();
  CHECK(w.data()[0] == Approx(0.95f));  // decayed: 1 - 0.1 * 0.5
  CHECK(b.data()[0] == 1.f);            // not decayed
}

TEST_CASE("SGD: parameters without a gradient are skipped - zero_grad drops gradients") {
  Variable a = start(), b = start();
  SGD opt(std::vector<Variable>{a, b}, {.lr = 0.1f, .momentum = 0.9f});
  quadratic_grad(a);
  opt.step();
  CHECK(a.data()[0] == Approx(0.9f));
  CHECK(b.data()[0] == 1.f);
  auto st = opt.state();
  REQUIRE(st.size() == 1);
  CHECK(st[0].name == "0.momentum_buffer");
  opt.zero_grad();
  CHECK_FALSE(a.grad().defined());
}

TEST_CASE("SGD: state round trip continues the trajectory exactly") {
  Variable p = start(), q = start();
  SGD a(std::vector<layers::NamedParameter>{{"w", p}}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
  quadratic_grad(p);
  a.step();
  q.data().copy_from(p.data());
  SGD b(std::vector<layers::NamedParameter>{{"w", q}}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
  auto state = a.state();
  REQUIRE(state.size() == 1);
  CHECK(state[0].name == "w.momentum_buffer");
  b.load_state(state);
  quadratic_grad(p);
  quadratic_grad(q);
  a.step();
  b.step();
  CHECK(max_abs_diff(p.data(), q.data()) == 0.f);
  CHECK_THROWS_WITH(b.load_state({{"v.momentum_buffer", Tensor::zeros({2}), DType::F32}}), Catch::Contains("v.momentum_buffer"));
  CHECK_THROWS_WITH(b.load_state({{"w.momentum_buffer", Tensor::zeros({3}), DType::F32}}), Catch::Contains("[3]"));
}

TEST_CASE("SGD: invalid options and parameter lists are errors") {
  Variable p = start();
  CHECK_THROWS_WITH(SGD(std::vector<Variable>{p}, {.lr = 0.1f, .nesterov = true}), Catch::Contains("Nesterov"));
  CHECK_THROWS_WITH(SGD(std::vector<Variable>{p, p}, {.lr = 0.1f}), Catch::Contains("appears twice"));
  CHECK_THROWS_AS(SGD(std::vector<Variable>{p}, {.lr = -1.f}), Error);
}

TEST_CASE("AdamW: bias-corrected steps on a quadratic") {
  // Step 1: m = 0.1 g, v = 0.001 g^2, bias-corrected to g and g^2: p1 = p0 - 0.1 sign(p0).
  // Step 2 (g = p1 = [0.9, -1.9]): m = 0.18, v = 0.001809; corrections 0.19 and 0.001999:
  // p2 = 0.9 - 0.1 * (0.18 / 0.19) / sqrt(0.001809 / 0.001999) = 0.800412.
  Variable p = start();
  AdamW opt(std::vector<Variable>{p}, {.lr = 0.1f, .weight_decay = 0.f});
  const std::vector<std::pair<float, float>> expected = {{0.9f, -1.9f}, {0.8004122f, -1.8001665f}, {0.7015863f, -1.7006234f}};
  for (auto [e0, e1] : expected) {
    quadratic_grad(p);
    opt.step();
    CHECK(p.data()[0] == Approx(e0).epsilon(1e-5));
    CHECK(p.data()[1] == Approx(e1).epsilon(1e-5));
  }
  auto st = opt.state();
  REQUIRE(st.size() == 3);
  CHECK(st[0].name == "0.exp_avg");
  CHECK(st[1].name == "0.exp_avg_sq");
  CHECK(st[2].name == "0.step");
  CHECK(st[2].value.item() == 3.f);
}

TEST_CASE("AdamW: weight decay is decoupled from the gradient") {
  // A zero gradient leaves m = v = 0 and the Adam step 0; only p *= 1 - lr * wd remains.
  Variable w(Tensor::ones({2, 2}), true), b(Tensor::ones({2}), true);
  AdamW opt(split_decay({{"w", w}, {"b", b}}), {.lr = 0.1f, .weight_decay = 0.5f});
  CHECK(opt.options().beta1 == 0.9f);
  w.grad() = Tensor::zeros({2, 2});
  b.grad() = Tensor::zeros({2});
  opt.step();
  CHECK(w.data()[0] == Approx(0.95f));
  CHECK(b.data()[0] == 1.f);
}

TEST_CASE("AdamW: state round trip continues the trajectory exactly") {
  Variable p = start(), q = start();
  AdamW a(std::vector<layers::NamedParameter>{{"w", p}}, {.lr = 0.05f});
  for (int i = 0; i < 2; ++i) {
    quadratic_grad(p);
    a.step();
  }
  q.data().copy_from(p.data());
  AdamW b(std::vector<layers::NamedParameter>{{"w", q}}, {.lr = 0.05f});
  b.load_state(a.state());
  quadratic_grad(p);
  quadratic_grad(q);
  a.step();
  b.step();
  CHECK(max_abs_diff(p.data(), q.data()) == 0.f);
  auto partial = a.state();
  partial.pop_back();
  CHECK_THROWS_WITH(b.load_state(partial), Catch::Contains("needs all of"));
}

TEST_CASE("optimizer: the learning rate is set by the loop") {
  Variable p = start();
  SGD opt(std::vector<Variable>{p}, {.lr = 0.1f});
  opt.set_lr(0.5f);
  CHECK(opt.lr() == 0.5f);
  quadratic_grad(p);
  opt.step();
  CHECK(p.data()[0] == Approx(0.5f));
}
