// tests/deploy/test_onnx_export.cpp — the ONNX exporter against two real runtimes.
//
// Every zoo family (CIFAR-style BasicBlock ResNets with and without SE on 1x28x28 and 3x32x32,
// the ImageNet stem with BasicBlock and Bottleneck on 3x64x64) and every SE variant (squeeze,
// gate, position, FC bias) is exported with random weights and non-trivial BN statistics, with
// BN folded and kept, at opset 13 and 17, and run by ONNX Runtime and OpenCV DNN on random
// inputs of batch 1 and 3 and on real test images; both must give excite's eval-mode logits
// within 1e-4 relative (onnx_check.h defines the measure).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "catch2/catch.hpp"
#include "data/batch.h"
#include "data/cifar.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "data/pipeline.h"
#include "fixtures.h"
#include "layers/attention.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/zoo.h"
#include "onnx_check.h"

using namespace excite;
using namespace excite::testing;

namespace {

constexpr float kTolerance = 1e-4f;

std::vector<Tensor> random_inputs(const Shape& image, uint64_t seed) {
  Generator gen(seed);
  return {Tensor::normal({1, image[0], image[1], image[2]}, 0.f, 1.f, gen),
          Tensor::normal({3, image[0], image[1], image[2]}, 0.f, 1.f, gen)};
}

Tensor fashion_mnist_images(int64_t n) {
  data::FashionMnist test("", data::Split::Test);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i) idx.push_back(i * 997 % test.size());
  Generator gen(0);
  return data::collate(test, data::fashion_mnist_test_transforms(), idx, gen).images;
}

Tensor cifar10_images(int64_t n) {
  data::Cifar10 test(shared_dir() + "/datasets/cifar10", data::Split::Test);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i) idx.push_back(i * 991 % test.size());
  Generator gen(0);
  return data::collate(test, data::cifar_test_transforms(), idx, gen).images;
}

// JPEGs of the shared image folder through the ImageNet test pipeline (resize 73, centre crop 64).
Tensor folder_images(int64_t n) {
  data::ImageFolder val(shared_dir() + "/datasets/cifar10-jpeg-mini/val");
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i) idx.push_back(i * 37 % val.size());
  Generator gen(0);
  return data::collate(val, data::imagenet_test_transforms(64, 73), idx, gen).images;
}

struct Variant {
  std::string name;
  layers::ModelOptions model;
};

// Exports each variant in both BN modes (opset 13 for fold, 17 for keep) and checks the runtimes.
RuntimeErrors check_variants(const std::vector<Variant>& variants, const Shape& image, const Tensor& real,
                             const std::string& tag) {
  const std::string dir = temp_dir(tag);
  std::vector<RuntimeCheck> checks;
  uint64_t seed = 1;
  for (const Variant& v : variants) {
    for (deploy::BatchNormExport bn : {deploy::BatchNormExport::Fold, deploy::BatchNormExport::Keep}) {
      manual_seed(seed);
      auto model = layers::make_model(v.model);
      randomize_statistics(*model, seed++);
      std::vector<Tensor> inputs = random_inputs(image, seed);
      if (real.defined()) inputs.push_back(real);
      const bool fold = bn == deploy::BatchNormExport::Fold;
      add_check(checks, *model, inputs, {.opset = fold ? 13 : 17, .batch_norm = bn}, dir,
                v.name + (fold ? "_fold" : "_keep"));
    }
  }
  RuntimeErrors e = run_runtimes(checks, dir);
  std::printf("onnx export %s: %zu models, worst relative error ONNX Runtime %.3g, OpenCV %.3g\n", tag.c_str(),
              checks.size(), e.ort, e.opencv);
  std::filesystem::remove_all(dir);
  return e;
}

layers::ModelOptions opts(const std::string& arch, int64_t in_channels, int64_t classes = 10) {
  return {.arch = arch, .num_classes = classes, .in_channels = in_channels};
}

}  // namespace

TEST_CASE("onnx export - resnet8 and seresnet8 on Fashion-MNIST match ONNX Runtime and OpenCV", "[deploy]") {
  REQUIRE(have_fashion_mnist());
  const RuntimeErrors e = check_variants({{"resnet8", opts("resnet8", 1)}, {"seresnet8", opts("seresnet8", 1)}},
                                         {1, 28, 28}, fashion_mnist_images(8), "fmnist");
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
}

TEST_CASE("onnx export - every SE variant of seresnet8 matches ONNX Runtime and OpenCV", "[deploy]") {
  std::vector<Variant> variants;
  auto with = [&](const std::string& name, auto edit) {
    layers::ModelOptions o = opts("seresnet8", 1);
    edit(o);
    variants.push_back({name, o});
  };
  // SE's options by key, as --squeeze max or {"squeeze": "max"} give them (layers/attention.h).
  auto se = [](layers::ModelOptions& o, const std::string& key, OptionValue v) {
    o.attention.kind = "se";
    o.attention.options.set(key, std::move(v));
  };
  with("squeeze_max", [&](auto& o) { se(o, "squeeze", std::string("max")); });
  with("squeeze_avgmax", [&](auto& o) { se(o, "squeeze", std::string("avgmax")); });
  with("gate_hard_sigmoid", [&](auto& o) { se(o, "gate", std::string("hard_sigmoid")); });
  with("gate_tanh", [&](auto& o) { se(o, "gate", std::string("tanh")); });
  with("gate_relu_bias", [&](auto& o) { se(o, "gate", std::string("relu")), se(o, "bias", true); });
  with("position_pre", [](auto& o) { o.position = layers::Position::Pre; });
  with("position_post", [](auto& o) { o.position = layers::Position::Post; });
  with("position_identity", [](auto& o) { o.position = layers::Position::Identity; });
  with("stages_2_3_reduction_4", [&](auto& o) { o.stages = {2, 3}, se(o, "reduction", int64_t{4}); });
  with("no_se", [](auto& o) { o.attention.kind = "none"; });
  const RuntimeErrors e = check_variants(variants, {1, 28, 28}, Tensor(), "se-variants");
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
}

TEST_CASE("onnx export - every attention kind on resnet8 matches ONNX Runtime and OpenCV", "[deploy]") {
  std::vector<Variant> variants;
  for (const std::string& kind : layers::attention_kind_names()) {
    layers::ModelOptions o = opts("resnet8", 1);
    o.attention.kind = kind;
    variants.push_back({"attention_" + kind, o});
  }
  // Past the defaults: GE's strided gather (extent 2: an average pool without the padding counted,
  // then a nearest upsample back to the map's size) with and without learned gathers (theta),
  // and ECA with a fixed kernel.
  for (bool theta : {false, true}) {
    layers::ModelOptions o = opts("resnet8", 1);
    o.attention.kind = "ge";
    o.attention.options.set("extent", int64_t{2});
    o.attention.options.set("theta", theta);
    variants.push_back({theta ? "attention_ge_theta_extent2" : "attention_ge_extent2", o});
  }
  layers::ModelOptions eca5 = opts("resnet8", 1);
  eca5.attention.kind = "eca";
  eca5.attention.options.set("eca_kernel", int64_t{5});
  variants.push_back({"attention_eca_k5", eca5});
  const RuntimeErrors e = check_variants(variants, {1, 28, 28}, Tensor(), "attention-kinds");
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
}

TEST_CASE("onnx export - seresnet20 on CIFAR-10 test images matches ONNX Runtime and OpenCV", "[deploy]") {
  const RuntimeErrors e =
      check_variants({{"seresnet20", opts("seresnet20", 3)}}, {3, 32, 32}, cifar10_images(8), "cifar10");
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
}

TEST_CASE("onnx export - ImageNet-style seresnet18 and seresnet50 (bottleneck) on 64x64 JPEGs match both runtimes",
          "[deploy]") {
  const RuntimeErrors e = check_variants(
      {{"seresnet18", opts("seresnet18", 3, 100)}, {"seresnet50", opts("seresnet50", 3, 100)}}, {3, 64, 64},
      folder_images(4), "imagenet");
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
}

TEST_CASE("onnx export - every opset from 13 to 17, BN kept and folded, runs in both runtimes", "[deploy]") {
  const std::string dir = temp_dir("opsets");
  std::vector<RuntimeCheck> checks;
  for (int64_t opset = 13; opset <= 17; ++opset) {
    for (deploy::BatchNormExport bn : {deploy::BatchNormExport::Fold, deploy::BatchNormExport::Keep}) {
      manual_seed(static_cast<uint64_t>(opset));
      layers::ModelOptions o = {.arch = "seresnet8", .num_classes = 10, .in_channels = 1};
      o.attention.kind = "se";
      o.attention.options.set("squeeze", std::string("avgmax"));
      o.attention.options.set("gate", std::string("hard_sigmoid"));
      auto model = layers::make_model(o);
      randomize_statistics(*model, static_cast<uint64_t>(opset));
      add_check(checks, *model, random_inputs({1, 28, 28}, 7), {.opset = opset, .batch_norm = bn}, dir,
                "opset" + std::to_string(opset) + (bn == deploy::BatchNormExport::Fold ? "_fold" : "_keep"));
    }
  }
  const RuntimeErrors e = run_runtimes(checks, dir);
  std::printf("onnx export opsets 13-17: worst relative error ONNX Runtime %.3g, OpenCV %.3g\n", e.ort, e.opencv);
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
  std::filesystem::remove_all(dir);
}

TEST_CASE("onnx export - the graph is 4-D throughout the SE block and names weights by state-dict key", "[deploy]") {
  manual_seed(3);
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  deploy::OnnxExportSummary fold, keep;
  deploy::onnx_model_bytes(*model, {1, 1, 28, 28}, {.batch_norm = deploy::BatchNormExport::Fold}, &fold);
  const std::string bytes = deploy::onnx_model_bytes(
      *model, {1, 1, 28, 28},
      {.batch_norm = deploy::BatchNormExport::Keep, .metadata = {{"classes", "T-shirt/top,Trouser"}}}, &keep);
  CHECK(bytes.find("T-shirt/top,Trouser") != std::string::npos);
  const std::vector<std::string> fold_ops{"Add", "Conv", "Flatten", "GlobalAveragePool", "Mul", "Relu", "Resize",
                                          "Sigmoid"};
  CHECK(fold.op_types == fold_ops);
  CHECK(fold.folded_batch_norms == 9);  // stem + 2 per block x 3 + 2 shortcuts
  CHECK(keep.folded_batch_norms == 0);
  CHECK(std::find(keep.op_types.begin(), keep.op_types.end(), "BatchNormalization") != keep.op_types.end());
  CHECK(fold.output_shape == Shape{1, 10});
  for (const char* key : {"layer1.0.se.fc.0.weight", "layer2.0.bn1.running_var", "fc.weight", "conv1.weight"})
    CHECK(bytes.find(key) != std::string::npos);
}

namespace {

// Reductions and broadcasts the zoo does not use yet, as the coming attention kinds will: a
// spatial gate x * sigmoid(mean over C), x + mean over H W, sum over C, a channel gate from a
// reduction without keepdim.
class Primitives : public layers::Module {
 public:
  Primitives() : Module("Primitives") {
    conv_ = register_module("conv", std::make_shared<layers::Conv2d>(
                                        layers::Conv2dOptions{.in = 2, .out = 6, .kernel = 3, .padding = 1}));
    fc_ = register_module("fc", std::make_shared<layers::Linear>(layers::LinearOptions{.in = 6, .out = 4}));
  }
  Variable forward(const Variable& x) override {
    Variable y = (*conv_)(x);                                  // [N, 6, H, W]
    y = y * sigmoid(mean(y, {1}, true));                       // spatial gate, [N, 1, H, W] spread over C
    y = y + mean(y, {2, 3}, true) * 0.5f;                      // [N, 6, 1, 1] spread over H, W
    y = y - sum(y, {1}, true) * (1.f / 6.f);                   // centre over C
    y = channel_scale(y, tanh(mean(y, {2, 3})));               // [N, 6] gate, no keepdim
    return (*fc_)(flatten(global_max_pool(relu(y)) + global_avg_pool(y)));
  }

 private:
  std::shared_ptr<layers::Conv2d> conv_;
  std::shared_ptr<layers::Linear> fc_;
};

}  // namespace

TEST_CASE("onnx export - reductions over C and H W with broadcasts, as coming attention kinds use, run in both runtimes",
          "[deploy]") {
  const std::string dir = temp_dir("primitives");
  std::vector<RuntimeCheck> checks;
  manual_seed(11);
  Primitives model;
  add_check(checks, model, random_inputs({2, 7, 5}, 3), {.opset = 13}, dir, "primitives13");
  add_check(checks, model, random_inputs({2, 7, 5}, 4), {.opset = 17}, dir, "primitives17");
  const RuntimeErrors e = run_runtimes(checks, dir);
  std::printf("onnx export primitives: worst relative error ONNX Runtime %.3g, OpenCV %.3g\n", e.ort, e.opencv);
  CHECK(e.ort < kTolerance);
  CHECK(e.opencv < kTolerance);
  std::filesystem::remove_all(dir);
}
