// The ResNet / SE-ResNet zoo: parameter counts to the unit against PyTorch's (the seed's
// SEResNet, torchvision's ResNets), the seed's state-dict keys, configurable channels and classes,
// attention stage selection, MACs.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

TEST_CASE("zoo: parameter counts equal the reference table to the unit") {
  // Counted by PyTorch from model.parameters() (the seed's models and torchvision's resnet34/50).
  CHECK(seresnet34({.num_classes = 1000})->num_parameters() == 21956392);  // the seed's SEResNet
  CHECK(make_model({.arch = "resnet34"})->num_parameters() == 21797672);
  CHECK(make_model({.arch = "resnet50"})->num_parameters() == 25557032);
  CHECK(make_model({.arch = "seresnet50", .attention = se_attention({.bias = true})})->num_parameters() == 28088024);
  CHECK(make_model({.arch = "seresnet50"})->num_parameters() == 28071976);
  CHECK(make_model({.arch = "resnet20"})->num_parameters() == 272474);
  CHECK(make_model({.arch = "seresnet20"})->num_parameters() == 277850);
}

TEST_CASE("zoo: other depths match torchvision's counts") {
  // torchvision.models.resnet18/101/152 (1000 classes; these have no SE, so names do not matter).
  CHECK(make_model({.arch = "resnet18"})->num_parameters() == 11689512);
  CHECK(make_model({.arch = "resnet101"})->num_parameters() == 44549160);
  CHECK(make_model({.arch = "resnet152"})->num_parameters() == 60192808);
  // CIFAR ResNets grow by 2 BasicBlocks' worth per 6 layers; ResNet-110 with the 1x1 shortcut.
  CHECK(make_model({.arch = "resnet56"})->num_parameters() > make_model({.arch = "resnet44"})->num_parameters());
  CHECK(make_model({.arch = "resnet110"})->num_parameters() == 1730714);
}

TEST_CASE("zoo: seresnet34 has the seed's 250 state-dict keys, in torch's order") {
  auto model = seresnet34({.num_classes = 10});
  const SafetensorsFile f = testing::load_fixture("model_seed_seresnet");
  const auto expected = nlohmann::json::parse(f.metadata.at("state")).get<std::vector<std::string>>();
  std::vector<std::string> keys;
  for (const NamedTensor& t : model->state_dict()) keys.push_back(t.name);
  CHECK(keys.size() == 250);
  CHECK(keys == expected);
  for (const NamedTensor& t : model->state_dict())
    CHECK((t.dtype == DType::I64) == (t.name.find("num_batches_tracked") != std::string::npos));
  auto has = [&](const std::string& k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
  CHECK(has("layer1.0.se.fc.0.weight"));
  CHECK(has("layer1.0.se.fc.2.weight"));
  CHECK(has("layer2.0.shortcut.0.weight"));
  CHECK(has("layer2.0.shortcut.1.running_mean"));
  CHECK_FALSE(has("layer1.0.shortcut.0.weight"));
  CHECK(model->child("layer1")->child("0")->child("se")->named_parameters()[0].value.shape() == Shape{8, 64});
}

TEST_CASE("zoo: in_channels and num_classes are configurable - defaults per family") {
  auto fm = make_model({.arch = "seresnet20", .num_classes = 10, .in_channels = 1});
  Variable y = (*fm)(Variable(Tensor::normal({2, 1, 28, 28}, 0.f, 1.f)));
  CHECK(y.shape() == Shape{2, 10});
  CHECK(make_model({.arch = "resnet8"})->config().num_classes == 10);
  CHECK(make_model({.arch = "resnet18"})->config().num_classes == 1000);
  auto c100 = make_model({.arch = "resnet20", .num_classes = 100});
  CHECK(c100->named_parameters().back().value.shape() == Shape{100});
  CHECK_THROWS_WITH((*fm)(Variable(Tensor::zeros({2, 3, 28, 28}))),
                    Catch::Contains("ResNet") && Catch::Contains("[2, 3, 28, 28]") && Catch::Contains("in_channels"));
}

TEST_CASE("zoo: arch names, --no-se, and unknown names") {
  CHECK(make_model({.arch = "resnet20"})->config().attention.kind == "none");
  CHECK(make_model({.arch = "seresnet20"})->config().attention.kind == "se");
  CHECK(make_model({.arch = "seresnet20", .attention = {.kind = "none"}})->num_parameters() == 272474);
  CHECK(make_model({.arch = "resnet20", .attention = {.kind = "se"}})->num_parameters() == 277850);
  CHECK(make_model({.arch = "resnet26"})->config().depths == std::vector<int64_t>{4, 4, 4});
  CHECK(make_model({.arch = "resnet8"})->config().depths == std::vector<int64_t>{1, 1, 1});
  CHECK_THROWS_WITH(make_model({.arch = "resnet21"}), Catch::Contains("6n + 2"));
  CHECK_THROWS_WITH(make_model({.arch = "vgg16"}), Catch::Contains("unknown model 'vgg16'") && Catch::Contains("seresnet56"));
  for (const std::string& a : known_archs()) CHECK_NOTHROW(resnet_config({.arch = a}));
}

TEST_CASE("zoo: SE only in the selected stages") {
  auto m = make_model({.arch = "seresnet20", .stages = {3}});
  int64_t se_count = 0;
  for (const NamedModule& nm : m->named_modules())
    if (nm.module->type_name() == "SEModule") {
      ++se_count;
      CHECK(nm.name.rfind("layer3.", 0) == 0);
    }
  CHECK(se_count == 3);
  // Stage-3 SE in ResNet-20: 3 blocks x 2 x (64 x 8) weights.
  CHECK(m->num_parameters() == 272474 + 3 * 2 * 64 * 8);
  CHECK_THROWS_WITH(make_model({.arch = "seresnet20", .stages = {4}}), Catch::Contains("attention stage 4"));
}

TEST_CASE("zoo: torchvision initialisation, zero_init_residual") {
  manual_seed(7);
  auto m = make_model({.arch = "resnet20", .zero_init_residual = true});
  auto block = std::dynamic_pointer_cast<BasicBlock>(m->child("layer2")->child("1"));
  REQUIRE(block);
  for (float v : block->last_bn().weight().data()) CHECK(v == 0.f);
  // conv weights N(0, 2 / fan_out): layer3 convs have 64 * 9 = 576 fan-out.
  auto conv = std::dynamic_pointer_cast<Conv2d>(m->child("layer3")->child("1")->child("conv2"));
  double sq = 0;
  for (float v : conv->weight().data()) sq += double(v) * v;
  CHECK(std::sqrt(sq / conv->weight().numel()) == Approx(std::sqrt(2.0 / 576)).epsilon(0.05));
}

TEST_CASE("zoo: multiply-adds of ResNet-20 and the small SE overhead") {
  auto plain = make_model({.arch = "resnet20"});
  auto se = make_model({.arch = "seresnet20"});
  Profile p = profile(*plain, {1, 3, 32, 32});
  Profile q = profile(*se, {1, 3, 32, 32});
  CHECK(p.output == Shape{1, 10});
  // Convolutions: stem 16*32*32*27, stage 1: 6 convs 16*1024*144, stage 2: 32*256*(144 + 5*288)
  // + shortcut 32*256*16, stage 3: 64*64*(288 + 5*576) + shortcut 64*64*32; fc 64*10.
  const int64_t expected = 16LL * 1024 * 27 + 6LL * 16 * 1024 * 144 + 32LL * 256 * (144 + 5 * 288) + 32LL * 256 * 16 +
                           64LL * 64 * (288 + 5 * 576) + 64LL * 64 * 32 + 640;
  CHECK(p.macs == expected);
  CHECK(p.macs == 40813184);  // "ResNet-20 at 3x32x32 about 40.8 M", as usually quoted
  // SE: two FCs per block, C * hidden each: 3 blocks at 16x8, 32x8, 64x8.
  CHECK(q.macs - p.macs == 3 * 2 * (16 * 8 + 32 * 8 + 64 * 8));
  CHECK(q.params == 277850);
}

TEST_CASE("zoo: multiply-adds of ResNet-50 at 224x224") {
  auto m = make_model({.arch = "resnet50"});
  Profile p = profile(*m, {1, 3, 224, 224});
  CHECK(p.output == Shape{1, 1000});
  CHECK(p.macs == Approx(4.09e9).epsilon(0.003));  // "about 4.09 G", as usually quoted
}
