// The attention kind "eca" (layers/eca.cpp): parity with timm's EcaModule through the PyTorch twin's
// fixtures (module alone and a ResNet-8 with it in every block), timm's key, the adaptive kernel,
// and its options refused in one line naming the option.
#include "attention_kind_parity.h"

using namespace excite;
using namespace excite::layers;
using namespace excite::testing::attention;

TEST_CASE("ECA: parity with timm's EcaModule - forward, every gradient, eval and train") {
  CHECK(run_module_cases({"eca"}) == 5);
}

TEST_CASE("ECA: parity of a ResNet-8 with ECA in every block, keyed se") { run_model_case("eca"); }

TEST_CASE("ECA: timm's key and the adaptive kernel size") {
  auto m = make_attention({.kind = "eca"}, 64);
  REQUIRE(m->state_dict().size() == 1);
  CHECK(m->state_dict()[0].name == "conv.weight");
  CHECK(m->state_dict()[0].value.shape() == Shape{1, 1, 3});
  // t = int(|log2 C + 1| / 2), odd, >= 3: C 16 -> 3, 128 -> 5, 512 -> 5, 2048 -> 7.
  for (auto [c, k] : std::vector<std::pair<int64_t, int64_t>>{{16, 3}, {128, 5}, {512, 5}, {2048, 7}})
    CHECK(attention_kind("eca").counts(complete(AttentionOptions{.kind = "eca"}).options, {1, c, 4, 4}).params == k);
  auto model = make_model({.arch = "resnet8", .num_classes = 10, .in_channels = 1, .attention = {.kind = "eca"}});
  CHECK(model->state_dict().size() > 0);
  bool keyed = false;
  for (const NamedTensor& t : model->state_dict()) keyed |= t.name == "layer1.0.se.conv.weight";
  CHECK(keyed);
}

TEST_CASE("ECA: an even kernel, a kernel wider than the channels and SE's options are refused") {
  OptionValues o;
  o.set("eca_kernel", int64_t{4});
  CHECK_THROWS_WITH(complete({.kind = "eca", .options = o}), Catch::Contains("option 'eca_kernel' must be odd"));
  o.set("eca_kernel", int64_t{9});
  CHECK(attention_kind("eca").unfit(complete({.kind = "eca", .options = o}).options, {.channels = 8}) ==
        "eca_kernel 9 is wider than the 8 channels; use an odd --eca-kernel <= 8 or 0 (adaptive)");
  CHECK_THROWS_WITH(make_attention({.kind = "eca", .options = o}, 8), Catch::Contains("wider than the 8 channels"));
  o = {};
  o.set("reduction", int64_t{8});
  CHECK_THROWS_WITH(complete({.kind = "eca", .options = o}), Catch::Contains("attention 'eca' takes no option 'reduction'"));
}
