// SE module variants (squeeze, gate, bias, reduction), SE positions in residual blocks, SEBlock,
// Bottleneck: names, widths, values against a hand computation, gradients.
#include <catch2/catch.hpp>

#include <cmath>

#include "gradcheck.h"
#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

namespace {

std::vector<std::string> param_names(const Module& m) {
  std::vector<std::string> out;
  for (auto& p : m.named_parameters()) out.push_back(p.name + " " + p.value.shape().str());
  return out;
}

float apply_gate(Gate g, float z) {
  switch (g) {
    case Gate::Sigmoid: return 1.f / (1.f + std::exp(-z));
    case Gate::HardSigmoid: return std::min(std::max(z + 3.f, 0.f), 6.f) / 6.f;
    case Gate::Tanh: return std::tanh(z);
    case Gate::ReLU: return std::max(z, 0.f);
  }
  return 0.f;
}

// The SE output computed with plain loops from the module's weights.
Tensor reference_se(SEModule& se, const Tensor& x) {
  const int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3), R = se.hidden();
  const SEOptions& o = se.se_options();
  auto params = se.named_parameters();
  const Tensor& w1 = params[0].value.data();
  const Tensor& w2 = params[o.bias ? 2 : 1].value.data();
  Tensor y(x.shape());
  for (int64_t n = 0; n < N; ++n) {
    std::vector<float> z(C, 0.f);
    for (int which = 0; which < 2; ++which) {
      if ((which == 0 && o.squeeze == Squeeze::Max) || (which == 1 && o.squeeze == Squeeze::Avg)) continue;
      std::vector<float> s(C);
      for (int64_t c = 0; c < C; ++c) {
        const float* p = x.data() + (n * C + c) * HW;
        float acc = which == 0 ? 0.f : p[0];
        for (int64_t i = 0; i < HW; ++i) acc = which == 0 ? acc + p[i] : std::max(acc, p[i]);
        s[c] = which == 0 ? acc / HW : acc;
      }
      std::vector<float> h(R);
      for (int64_t r = 0; r < R; ++r) {
        float acc = o.bias ? params[1].value.data()[r] : 0.f;
        for (int64_t c = 0; c < C; ++c) acc += w1.at({r, c}) * s[c];
        h[r] = std::max(acc, 0.f);
      }
      for (int64_t c = 0; c < C; ++c) {
        float acc = o.bias ? params[3].value.data()[c] : 0.f;
        for (int64_t r = 0; r < R; ++r) acc += w2.at({c, r}) * h[r];
        z[c] += acc;
      }
    }
    for (int64_t c = 0; c < C; ++c) {
      const float e = apply_gate(o.gate, z[c]);
      for (int64_t i = 0; i < HW; ++i) y[(n * C + c) * HW + i] = x[(n * C + c) * HW + i] * e;
    }
  }
  return y;
}

// loss = sum(module(x) * m) for a fixed random m; compares d loss / d weight with central
// differences on every weight element (the modules here are small).
bool weight_gradients_match(Module& module, const Tensor& x) {
  Generator gen(99);
  Variable x_var(x);
  Variable m(Tensor::uniform(module(x_var).shape(), -1.f, 1.f, gen));
  auto loss = [&] { return sum(module(x_var) * m); };
  module.zero_grad();
  loss().backward();
  bool ok = true;
  NoGradGuard no_grad;
  for (auto& p : module.named_parameters()) {
    Tensor& w = p.value.data();
    for (int64_t i = 0; i < w.numel(); ++i) {
      const float saved = w[i], eps = 1e-2f;
      w[i] = saved + eps;
      const double up = loss().item();
      w[i] = saved - eps;
      const double down = loss().item();
      w[i] = saved;
      const double numeric = (up - down) / (2 * eps), analytic = p.value.grad()[i];
      if (std::fabs(numeric - analytic) > 2e-3 + 2e-2 * std::fabs(numeric)) {
        UNSCOPED_INFO(p.name << "[" << i << "]: analytic " << analytic << " numeric " << numeric);
        ok = false;
      }
    }
  }
  return ok;
}

}  // namespace

TEST_CASE("SE: the seed's defaults, names and widths") {
  SEModule se(64);
  CHECK(se.hidden() == 8);  // max(64 / 16, 8)
  CHECK(param_names(se) == std::vector<std::string>{"fc.0.weight [8, 64]", "fc.2.weight [64, 8]"});
  CHECK(se.named_children()[0].name == "avg_pool");
  CHECK(SEModule(512).hidden() == 32);
  CHECK(SEModule(512, {.reduction = 4}).hidden() == 128);
  CHECK(SEModule(16, {.reduction = 4, .min_channels = 2}).hidden() == 4);
  SEModule biased(32, {.bias = true});
  CHECK(param_names(biased) == std::vector<std::string>{"fc.0.weight [8, 32]", "fc.0.bias [8]", "fc.2.weight [32, 8]",
                                                        "fc.2.bias [32]"});
  SEModule both(32, {.squeeze = Squeeze::AvgMax});
  CHECK(both.named_children().size() == 3);  // avg_pool, max_pool, fc
  CHECK(SEModule(32, {.squeeze = Squeeze::Max}).named_children()[0].name == "max_pool");
  CHECK_THROWS_AS(SEModule(32, {.reduction = 0}), Error);
}

TEST_CASE("SE: every squeeze, gate and bias against a hand computation, and its gradients") {
  Generator gen(5);
  Tensor x = testing::random_input({2, 12, 3, 5}, gen, -2.f, 2.f);
  for (Squeeze sq : {Squeeze::Avg, Squeeze::Max, Squeeze::AvgMax}) {
    for (Gate g : {Gate::Sigmoid, Gate::HardSigmoid, Gate::Tanh, Gate::ReLU}) {
      for (bool bias : {false, true}) {
        INFO(name_of(sq) << " " << name_of(g) << " bias " << bias);
        manual_seed(17);
        SEModule se(12, {.reduction = 4, .min_channels = 2, .squeeze = sq, .gate = g, .bias = bias});
        CHECK(se.hidden() == 3);
        Tensor y = se(Variable(x)).data();
        CHECK(max_abs_diff(y, reference_se(se, x)) < 1e-5f);
        if (g == Gate::ReLU || g == Gate::HardSigmoid) continue;  // kinks: the op tests check those
        // Input gradient by the shared checker (the module's weights are constants there) ...
        auto r = testing::check_gradients([&](const std::vector<Variable>& v) { return se(v[0]); }, {x});
        INFO(r.report);
        CHECK(r.ok);
        // ... and every weight's gradient against central differences, element by element.
        CHECK(weight_gradients_match(se, x));
      }
    }
  }
}

TEST_CASE("SE: error names the module and both shapes") {
  auto model = make_model({.arch = "seresnet20"});
  auto se = model->child("layer2")->child("0")->child("se");
  CHECK_THROWS_WITH((*se)(Variable(Tensor::zeros({2, 16, 4, 4}))),
                    Catch::Contains("layer2.0.se (SEModule)") && Catch::Contains("[2, 16, 4, 4]") &&
                        Catch::Contains("[8, 32]"));
  CHECK(parse_name<Squeeze>("avgmax") == Squeeze::AvgMax);
  CHECK(parse_name<Gate>("hard_sigmoid") == Gate::HardSigmoid);
  CHECK(parse_name<Position>("identity") == Position::Identity);
  CHECK_THROWS_WITH(parse_name<Gate>("swish"), Catch::Contains("sigmoid, hard_sigmoid, tanh or relu"));
  for (auto p : {Position::Standard, Position::Pre, Position::Post, Position::Identity})
    CHECK(parse_name<Position>(name_of(p)) == p);
}

namespace {

Variable run(Module& m, const std::string& name, const Variable& x) { return (*m.child(name))(x); }

// The block's output composed by hand from its children, per the SE paper's Fig. 5.
Variable by_hand(BasicBlock& b, Position where, const Variable& x) {
  auto branch = [&](const Variable& in) {
    return run(b, "bn2", run(b, "conv2", relu(run(b, "bn1", run(b, "conv1", in)))));
  };
  Variable residual = run(b, "shortcut", x);
  switch (where) {
    case Position::Standard: return relu(run(b, "se", branch(x)) + residual);
    case Position::Pre: return relu(branch(run(b, "se", x)) + residual);
    case Position::Post: return run(b, "se", relu(branch(x) + residual));
    case Position::Identity: return relu(branch(x) + run(b, "se", residual));
  }
  return {};
}

}  // namespace

TEST_CASE("SE positions: standard, pre, post and identity compose as the SE paper's Fig. 5") {
  Generator gen(8);
  for (auto where : {Position::Standard, Position::Pre, Position::Post, Position::Identity}) {
    for (auto [in, out, stride] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{{16, 16, 1}, {16, 32, 2}}) {
      INFO(name_of(where) << " " << in << " -> " << out << " stride " << stride);
      BasicBlock b({.in = in, .out = out, .stride = stride, .attention = se_attention(), .position = where});
      b.eval();
      auto se = std::dynamic_pointer_cast<SEModule>(b.child("se"));
      CHECK(se->channels() == (where == Position::Pre ? in : out));
      Variable x(Tensor::normal({2, in, 6, 6}, 0.f, 1.f, gen));
      Variable y = b(x);
      CHECK(y.shape() == Shape{2, out, 6 / stride, 6 / stride});
      // Standard and identity: the block joins with one FMA (channel_scale_add_relu), the hand a
      // product and a sum: one rounding apart.
      const float tolerance = where == Position::Standard || where == Position::Identity ? 1e-5f : 0.f;
      CHECK(max_abs_diff(y.data(), by_hand(b, where, x).data()) <= tolerance);
    }
  }
}

TEST_CASE("The join is one op at the standard and identity positions for SE - ECA - global GE, not GE over an extent") {
  Generator gen(9);
  OptionValues extent2;
  extent2.set("extent", int64_t{2});
  const std::vector<std::pair<AttentionOptions, bool>> kinds = {{se_attention(), true},
                                                                {{.kind = "eca"}, true},
                                                                {{.kind = "ge"}, true},
                                                                {{.kind = "ge", .options = extent2}, false}};
  for (const auto& [attention, channels_only] : kinds)
    for (auto where : {Position::Standard, Position::Identity, Position::Post}) {
      INFO(attention.kind << " " << name_of(where));
      BasicBlock b({.in = 8, .out = 8, .attention = attention, .position = where});
      const Variable y = b(Variable(Tensor::normal({2, 8, 6, 6}, 0.f, 1.f, gen)));
      REQUIRE(y.node());
      CHECK((y.node()->name == "channel_scale_add_relu") == (channels_only && where != Position::Post));
    }
}

TEST_CASE("SE blocks: names in the seed's order - Bottleneck - SEBlock") {
  BasicBlock seed_block({.in = 64, .out = 128, .stride = 2, .attention = se_attention()});
  std::vector<std::string> keys;
  for (auto& t : seed_block.state_dict()) keys.push_back(t.name);
  CHECK(keys[0] == "conv1.weight");
  CHECK(keys[6] == "conv2.weight");
  CHECK(keys[12] == "se.fc.0.weight");
  CHECK(keys[13] == "se.fc.2.weight");
  CHECK(keys[14] == "shortcut.0.weight");
  CHECK(keys.back() == "shortcut.1.num_batches_tracked");

  BasicBlock plain({.in = 16, .out = 16});
  CHECK(plain.state_dict().size() == 12);  // two convs and two BNs; empty shortcut, no SE
  CHECK(plain.child("shortcut")->named_children().empty());

  Bottleneck neck({.in = 256, .out = 512, .stride = 2, .attention = se_attention({.bias = true})});
  std::vector<std::string> pnames;
  for (auto& p : neck.named_parameters()) pnames.push_back(p.name + " " + p.value.shape().str());
  CHECK(pnames == std::vector<std::string>{
                      "conv1.weight [128, 256, 1, 1]", "bn1.weight [128]", "bn1.bias [128]",
                      "conv2.weight [128, 128, 3, 3]", "bn2.weight [128]", "bn2.bias [128]",
                      "conv3.weight [512, 128, 1, 1]", "bn3.weight [512]", "bn3.bias [512]",
                      "se.fc.0.weight [32, 512]", "se.fc.0.bias [32]", "se.fc.2.weight [512, 32]", "se.fc.2.bias [512]",
                      "shortcut.0.weight [512, 256, 1, 1]", "shortcut.1.weight [512]", "shortcut.1.bias [512]"});
  Variable x(Tensor::normal({2, 256, 8, 8}, 0.f, 1.f));
  CHECK(neck(x).shape() == Shape{2, 512, 4, 4});
  CHECK_THROWS_WITH(Bottleneck({.in = 8, .out = 10}), Catch::Contains("multiple of the expansion"));
  CHECK_THROWS_WITH(neck(Variable(Tensor::zeros({1, 128, 4, 4}))),
                    Catch::Contains("Bottleneck") && Catch::Contains("[1, 128, 4, 4]") && Catch::Contains("256"));

  SEBlock block({.in = 3, .out = 16, .se = {.reduction = 4}});
  std::vector<std::string> bnames;
  for (auto& p : block.named_parameters()) bnames.push_back(p.name);
  CHECK(bnames == std::vector<std::string>{"conv.weight", "bn.weight", "bn.bias", "se.fc.0.weight", "se.fc.2.weight"});
  CHECK(block(Variable(Tensor::normal({2, 3, 7, 7}, 0.f, 1.f))).shape() == Shape{2, 16, 7, 7});
}

TEST_CASE("SE: a whole SE-ResNet trains: gradients reach every parameter under every position") {
  for (auto where : {Position::Standard, Position::Pre, Position::Post, Position::Identity}) {
    INFO(name_of(where));
    manual_seed(3);
    auto m = make_model({.arch = "seresnet8", .num_classes = 4, .in_channels = 1,
                         .attention = se_attention({.squeeze = Squeeze::AvgMax}), .position = where});
    Variable loss = cross_entropy((*m)(Variable(Tensor::normal({4, 1, 12, 12}, 0.f, 1.f))), {0, 1, 2, 3});
    loss.backward();
    for (auto& p : m->named_parameters()) {
      INFO(p.name);
      REQUIRE(p.value.grad().defined());
      CHECK(all_finite(p.value.grad()));
    }
  }
}
