// A convolution with its batchnorm folded in at inference (layers/conv_bn.h, autograd
// conv2d_batchnorm_inference): the same values as the two modules one by one, on every kind of
// convolution the models have (3x3, strided, 1x1 shortcut, the stems), with and without the
// ReLU, a conv bias and an affine batchnorm; whole models in eval mode with and without gradients;
// and the cases that must not fold (training, a gradient wanted, a profile, a trace).
#include <catch2/catch.hpp>

#include <algorithm>

#include "autograd/trace.h"
#include "core/kernels/op_timer.h"
#include "layers/conv_bn.h"
#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

namespace {

// Running statistics and affine parameters away from their initial 1s and 0s, so that a fold that
// forgot one of them shows.
void randomize_batchnorm(BatchNorm2d& bn, Generator& gen) {
  const int64_t C = bn.options().channels;
  bn.buffer("running_mean").copy_from(Tensor::uniform({C}, -0.5f, 0.5f, gen));
  bn.buffer("running_var").copy_from(Tensor::uniform({C}, 0.2f, 2.f, gen));
  if (bn.weight().defined()) {
    bn.weight().data().copy_from(Tensor::uniform({C}, 0.5f, 1.5f, gen));
    bn.bias().data().copy_from(Tensor::uniform({C}, -0.5f, 0.5f, gen));
  }
}

float max_abs(const Tensor& t) {
  float m = 0.f;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::abs(t[i]));
  return m;
}

}  // namespace

TEST_CASE("conv_bn: folded at inference, the values of conv then batchnorm (then ReLU)") {
  Generator gen(91);
  struct Case {
    Conv2dOptions conv;
    bool affine;
    int64_t hw;
  };
  const std::vector<Case> cases = {
      {{.in = 8, .out = 16, .kernel = 3, .stride = 1, .padding = 1, .bias = false}, true, 12},
      {{.in = 16, .out = 24, .kernel = 3, .stride = 2, .padding = 1, .bias = true}, true, 11},
      {{.in = 16, .out = 32, .kernel = 1, .stride = 2, .padding = 0, .bias = false}, true, 10},  // shortcut
      {{.in = 3, .out = 16, .kernel = 7, .stride = 2, .padding = 3, .bias = false}, false, 20},  // ImageNet stem
      {{.in = 6, .out = 6, .kernel = 3, .stride = 1, .padding = 1, .groups = 3, .bias = true}, true, 9},
  };
  for (const Case& c : cases) {
    for (bool relu : {false, true}) {
      INFO("in " << c.conv.in << " out " << c.conv.out << " kernel " << c.conv.kernel << " stride " << c.conv.stride
                 << " groups " << c.conv.groups << " conv bias " << c.conv.bias << " affine " << c.affine
                 << " relu " << relu);
      Conv2d conv(c.conv);
      BatchNorm2d bn({.channels = c.conv.out, .affine = c.affine});
      randomize_batchnorm(bn, gen);
      bn.eval();
      const Variable x(Tensor::uniform({3, c.conv.in, c.hw, c.hw}, -1, 1, gen));
      const Tensor unfolded = conv_bn(conv, bn, x, relu).data();  // grad mode on: not folded
      CHECK(!folds_batchnorm(bn));
      NoGradGuard no_grad;
      CHECK(folds_batchnorm(bn));
      const Tensor folded = conv_bn(conv, bn, x, relu).data();
      REQUIRE(folded.shape() == unfolded.shape());
      CHECK(max_abs_diff(folded, unfolded) <= 1e-5f * std::max(1.f, max_abs(unfolded)));
      if (relu) CHECK(*std::min_element(folded.data(), folded.data() + folded.numel()) == 0.f);
    }
  }
}

TEST_CASE("conv_bn: not folded in training, and the fused op refuses a gradient and a trace") {
  Generator gen(92);
  Conv2d conv({.in = 4, .out = 8, .kernel = 3, .padding = 1, .bias = false});
  BatchNorm2d bn({.channels = 8});
  const Variable x(Tensor::uniform({2, 4, 6, 6}, -1, 1, gen));
  {
    NoGradGuard no_grad;
    CHECK(!folds_batchnorm(bn));  // training mode: the batch's statistics, and they update
    conv_bn(conv, bn, x);
    CHECK(bn.buffer("num_batches_tracked")[0] == 1.f);
  }
  bn.eval();
  auto fused = [&] {
    return conv2d_batchnorm_inference(x, conv.weight(), conv.bias(), conv.params(), bn.weight(), bn.bias(),
                                      bn.buffer("running_mean"), bn.buffer("running_var"), 1e-5f, true);
  };
  CHECK_THROWS_WITH(fused(), Catch::Contains("a gradient is wanted"));
  NoGradGuard no_grad;
  CHECK_NOTHROW(fused());
  {
    TraceScope trace;
    CHECK(!folds_batchnorm(bn));
    CHECK_THROWS_WITH(fused(), Catch::Contains("not an op the exporter knows"));
  }
  BatchNorm2d wrong({.channels = 5});
  wrong.eval();
  CHECK_THROWS_WITH(conv_bn(conv, wrong, x), Catch::Contains("expected 5 channels"));
}

TEST_CASE("conv_bn: whole models in eval mode give the same outputs folded (no grad) and not (grad)") {
  Generator gen(93);
  const std::vector<ResNetConfig> configs = {
      {.depths = {1, 1, 1}, .widths = {8, 16, 32}, .attention = se_attention({.reduction = 4})},
      {.block = BlockType::Bottleneck, .depths = {1, 1}, .widths = {4, 8}},
      {.stem = Stem::ImageNet, .depths = {1, 1}, .widths = {8, 16}, .attention = se_attention({.reduction = 4}),
       .position = Position::Identity},
  };
  for (const ResNetConfig& config : configs) {
    ResNet model(config);
    for (const NamedModule& m : model.named_modules())
      if (auto* bn = dynamic_cast<BatchNorm2d*>(m.module)) randomize_batchnorm(*bn, gen);
    model.eval();
    const int64_t hw = config.stem == Stem::ImageNet ? 40 : 16;
    const Variable x(Tensor::uniform({2, 3, hw, hw}, -1, 1, gen));
    const Tensor with_grad = model(x).data();
    NoGradGuard no_grad;
    reset_op_times();
    set_op_timing(true);
    const Tensor folded = model(x).data();
    set_op_timing(false);
    INFO("blocks " << (config.block == BlockType::Basic ? "basic" : "bottleneck"));
    CHECK(op_time_seconds(OpKind::BatchNorm) == 0.0);  // every batchnorm folded (the shortcut's too)
    CHECK(max_abs_diff(folded, with_grad) <= 1e-4f * std::max(1.f, max_abs(with_grad)));
    // The profile runs the modules one by one: every batchnorm keeps its row.
    const Profile p = profile(model, {1, 3, hw, hw});
    int64_t bn_rows = 0, bns = 0;
    for (const LayerProfile& row : p.layers) bn_rows += row.type == "BatchNorm2d";
    for (const NamedModule& m : model.named_modules()) bns += dynamic_cast<BatchNorm2d*>(m.module) != nullptr;
    CHECK(bn_rows == bns);
  }
}
