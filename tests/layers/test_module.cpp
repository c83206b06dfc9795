// Module tree: names by nesting in torch's order, train/eval propagation, zero_grad, errors
// naming the layer and both shapes, the profile's multiply-add count.
#include <catch2/catch.hpp>

#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

namespace {

// A miniature of the seed's block: conv1, bn1, conv2, bn2, shortcut (Sequential of conv + BN).
class TinyBlock : public Module {
 public:
  TinyBlock(int64_t in, int64_t out) : Module("TinyBlock") {
    conv1_ = register_module("conv1", std::make_shared<Conv2d>(Conv2dOptions{.in = in, .out = out, .kernel = 3, .padding = 1, .bias = false}));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = out}));
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>());
    if (in != out) {
      shortcut_->push_back(std::make_shared<Conv2d>(Conv2dOptions{.in = in, .out = out, .kernel = 1, .bias = false}));
      shortcut_->push_back(std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = out}));
    }
  }
  Variable forward(const Variable& x) override {
    Variable out = (*bn1_)((*conv1_)(x));
    return relu(out + (*shortcut_)(x));
  }

 private:
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<Sequential> shortcut_;
};

class TinyNet : public Module {
 public:
  explicit TinyNet(int64_t in_channels = 3) : Module("TinyNet") {
    conv1_ = register_module("conv1", std::make_shared<Conv2d>(Conv2dOptions{.in = in_channels, .out = 4, .kernel = 3, .padding = 1, .bias = false}));
    layer1_ = register_module("layer1", std::make_shared<Sequential>(std::initializer_list<ModulePtr>{
                                            std::make_shared<TinyBlock>(4, 8), std::make_shared<TinyBlock>(8, 8)}));
    pool_ = register_module("avgpool", std::make_shared<AdaptiveAvgPool2d>());
    fc_ = register_module("fc", std::make_shared<Linear>(LinearOptions{.in = 8, .out = 5}));
  }
  Variable forward(const Variable& x) override {
    return (*fc_)(flatten((*pool_)((*layer1_)((*conv1_)(x)))));
  }

 private:
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<Sequential> layer1_;
  std::shared_ptr<AdaptiveAvgPool2d> pool_;
  std::shared_ptr<Linear> fc_;
};

std::vector<std::string> keys(const std::vector<NamedTensor>& v) {
  std::vector<std::string> out;
  for (auto& t : v) out.push_back(t.name);
  return out;
}

}  // namespace

TEST_CASE("module: state-dict keys nest in torch's order") {
  TinyNet net;
  const std::vector<std::string> bn = {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"};
  std::vector<std::string> expected = {"conv1.weight", "layer1.0.conv1.weight"};
  for (auto& b : bn) expected.push_back("layer1.0.bn1." + b);
  expected.push_back("layer1.0.shortcut.0.weight");
  for (auto& b : bn) expected.push_back("layer1.0.shortcut.1." + b);
  expected.push_back("layer1.1.conv1.weight");
  for (auto& b : bn) expected.push_back("layer1.1.bn1." + b);
  expected.push_back("fc.weight");
  expected.push_back("fc.bias");
  CHECK(keys(net.state_dict()) == expected);

  std::vector<std::string> params;
  for (auto& p : net.named_parameters()) params.push_back(p.name);
  CHECK(params == std::vector<std::string>{"conv1.weight", "layer1.0.conv1.weight", "layer1.0.bn1.weight",
                                           "layer1.0.bn1.bias", "layer1.0.shortcut.0.weight",
                                           "layer1.0.shortcut.1.weight", "layer1.0.shortcut.1.bias",
                                           "layer1.1.conv1.weight", "layer1.1.bn1.weight", "layer1.1.bn1.bias",
                                           "fc.weight", "fc.bias"});
  std::vector<std::string> buffers;
  for (auto& b : net.named_buffers()) buffers.push_back(b.name);
  CHECK(buffers.size() == 9);
  CHECK(buffers[0] == "layer1.0.bn1.running_mean");
  CHECK(net.named_buffers()[2].dtype == DType::I64);
  CHECK(net.parameters().size() == 12);
  CHECK(net.num_parameters() == 4 * 3 * 9 + 8 * 4 * 9 + 16 + 8 * 4 + 16 + 8 * 8 * 9 + 16 + 5 * 8 + 5);
  for (auto& p : net.parameters()) CHECK(p.requires_grad());

  // Paths are known to every module, also those registered before their parent was.
  auto mods = net.named_modules();
  CHECK(mods[0].name.empty());
  bool found = false;
  for (auto& m : mods) {
    CHECK(m.name == m.module->path());
    if (m.name == "layer1.0.shortcut.1") found = m.module->type_name() == "BatchNorm2d";
  }
  CHECK(found);
}

TEST_CASE("module: handles share storage with the model") {
  TinyNet net;
  auto sd = net.state_dict();
  sd[0].value.fill(3.f);
  CHECK(net.named_parameters()[0].value.data()[0] == 3.f);
}

TEST_CASE("module: train/eval propagate to every descendant") {
  TinyNet net;
  for (auto& m : net.named_modules()) CHECK(m.module->is_training());
  net.eval();
  for (auto& m : net.named_modules()) CHECK_FALSE(m.module->is_training());
  net.child("layer1")->train();
  CHECK_FALSE(net.is_training());
  for (auto& m : net.named_modules())
    if (m.name.rfind("layer1", 0) == 0) CHECK(m.module->is_training());
  net.train();
  for (auto& m : net.named_modules()) CHECK(m.module->is_training());
}

TEST_CASE("module: registration rejects duplicate and dotted names - lookups name what exists") {
  class Bad : public Module {
   public:
    explicit Bad(int which) : Module("Bad") {
      register_parameter("w", Tensor::zeros({2}));
      if (which == 0) register_buffer("w", Tensor::zeros({2}));
      if (which == 1) register_module("a.b", std::make_shared<Identity>());
    }
    Variable forward(const Variable& x) override { return x; }
  };
  CHECK_THROWS_WITH(Bad(0), Catch::Contains("already registered"));
  CHECK_THROWS_WITH(Bad(1), Catch::Contains("invalid name 'a.b'"));
  TinyNet net;
  CHECK_THROWS_WITH(net.child("layer9"), Catch::Contains("conv1 layer1 avgpool fc"));
}

TEST_CASE("module: forward, backward and zero_grad") {
  manual_seed(1);
  TinyNet net;
  Variable x(Tensor::normal({2, 3, 6, 6}, 0.f, 1.f));
  Variable y = net(x);
  CHECK(y.shape() == Shape{2, 5});
  sum(y * y).backward();
  for (auto& p : net.named_parameters()) {
    INFO(p.name);
    CHECK(p.value.grad().defined());
  }
  CHECK(net.named_buffers()[2].value.item() == 1.f);  // num_batches_tracked counted the batch
  net.zero_grad();
  for (auto& p : net.parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("module: bad input names the layer and both shapes") {
  TinyNet net;
  Variable x(Tensor::zeros({2, 4, 6, 6}));
  // conv1 expects 3 channels: the message names it and prints the input and weight shapes.
  CHECK_THROWS_WITH(net(x), Catch::Contains("conv1 (Conv2d)") && Catch::Contains("[2, 4, 6, 6]") &&
                                Catch::Contains("[4, 3, 3, 3]"));
  // A nested layer: feed layer1 directly with the wrong channel count.
  CHECK_THROWS_WITH((*net.child("layer1"))(Variable(Tensor::zeros({1, 5, 4, 4}))),
                    Catch::Contains("layer1.0.conv1 (Conv2d)") && Catch::Contains("[1, 5, 4, 4]") &&
                        Catch::Contains("[8, 4, 3, 3]"));
  CHECK_THROWS_WITH((*net.child("fc"))(Variable(Tensor::zeros({2, 7}))),
                    Catch::Contains("fc (Linear)") && Catch::Contains("[2, 7]") && Catch::Contains("[5, 8]"));
  BatchNorm2d bn({.channels = 3});
  CHECK_THROWS_WITH(bn(Variable(Tensor::zeros({2, 4, 3, 3}))), Catch::Contains("BatchNorm2d") &&
                                                                   Catch::Contains("[2, 4, 3, 3]") &&
                                                                   Catch::Contains("[3]"));
  CHECK_THROWS_WITH(bn(Variable(Tensor::zeros({1, 3, 1, 1}))), Catch::Contains("more than one value"));
}

TEST_CASE("module: layers' output shapes") {
  Variable x(Tensor::normal({2, 3, 9, 9}, 0.f, 1.f));
  CHECK(Conv2d({.in = 3, .out = 6, .kernel = 3, .stride = 2, .padding = 1})(x).shape() == Shape{2, 6, 5, 5});
  CHECK(Conv2d({.in = 3, .out = 6, .kernel = 3, .padding = 2, .dilation = 2, .groups = 3})(x).shape() ==
        Shape{2, 6, 9, 9});
  CHECK(MaxPool2d({.kernel = 3, .stride = 2, .padding = 1})(x).shape() == Shape{2, 3, 5, 5});
  CHECK(AvgPool2d({.kernel = 2})(x).shape() == Shape{2, 3, 4, 4});
  CHECK(AdaptiveAvgPool2d()(x).shape() == Shape{2, 3, 1, 1});
  CHECK(AdaptiveMaxPool2d()(x).shape() == Shape{2, 3, 1, 1});
  CHECK(Flatten()(x).shape() == Shape{2, 243});
  CHECK(Identity()(x).same(x));
  Dropout drop({.p = 0.5f});
  drop.eval();
  CHECK(max_abs_diff(drop(x).data(), x.data()) == 0.f);
  for (auto act : std::vector<ModulePtr>{std::make_shared<ReLU>(), std::make_shared<Sigmoid>(), std::make_shared<Tanh>(),
                                         std::make_shared<HardSigmoid>(), std::make_shared<SiLU>()})
    CHECK((*act)(x).shape() == x.shape());
  CHECK(std::make_shared<HardSigmoid>()->type_name() == "Hardsigmoid");
  CHECK((*std::make_shared<Sigmoid>())(Variable(Tensor::zeros({1}))).item() == 0.5f);
}

TEST_CASE("module: AdaptiveAvgPool2d is the mean over H and W") {
  Variable x(Tensor::from({1, 2, 1, 3}, {1, 2, 3, 4, 5, 9}));
  Tensor y = AdaptiveAvgPool2d()(x).data();
  CHECK(y.at({0, 0, 0, 0}) == Approx(2.f));
  CHECK(y.at({0, 1, 0, 0}) == Approx(6.f));
  CHECK(AdaptiveMaxPool2d()(x).data().at({0, 1, 0, 0}) == 9.f);
}

TEST_CASE("profile: rows in call order, multiply-adds of conv and linear") {
  TinyNet net;
  Profile p = profile(net, {1, 3, 8, 8});
  CHECK(p.output == Shape{1, 5});
  CHECK(p.params == net.num_parameters());
  CHECK(p.layers[0].name.empty());
  CHECK(p.layers[1].name == "conv1");
  CHECK(p.layers[1].output == Shape{1, 4, 8, 8});
  CHECK(p.layers[1].macs == 4 * 64 * 3 * 9);
  const int64_t expected = 4 * 64 * 27 + (8 * 64 * 36 + 8 * 64 * 4) + 8 * 64 * 72 + 8 * 5;
  CHECK(p.macs == expected);
  int64_t params = 0;
  for (auto& r : p.layers) params += r.params;
  CHECK(params == net.num_parameters());
  CHECK(net.is_training());  // the mode is restored
}
