// The attention kinds "cbam", "cbam-channel" and "cbam-spatial" (layers/cbam.cpp): parity with
// timm's CbamModule (and each half) through the PyTorch twin's fixtures, timm's keys, its options.
#include "attention_kind_parity.h"

using namespace excite;
using namespace excite::layers;
using namespace excite::testing::attention;

TEST_CASE("CBAM: parity with timm's CbamModule and each half - forward, every gradient, BN statistics") {
  CHECK(run_module_cases({"cbam", "cbam-channel", "cbam-spatial"}) == 7);
}

TEST_CASE("CBAM: parity of a ResNet-8 with CBAM in every block, keyed se") { run_model_case("cbam"); }
TEST_CASE("CBAM: parity of a ResNet-8 with CBAM's channel half") { run_model_case("cbam-channel"); }
TEST_CASE("CBAM: parity of a ResNet-8 with CBAM's spatial half") { run_model_case("cbam-spatial"); }

TEST_CASE("CBAM: timm's keys, the halves keep theirs, hidden max(1, round(C / r))") {
  auto names = [](const std::string& kind) {
    std::vector<std::string> out;
    for (const NamedTensor& t : make_attention({.kind = kind}, 32)->state_dict()) out.push_back(t.name);
    return out;
  };
  const std::vector<std::string> channel = {"channel.fc1.weight", "channel.fc2.weight"};
  const std::vector<std::string> spatial = {"spatial.conv.conv.weight", "spatial.conv.bn.weight",
                                            "spatial.conv.bn.bias", "spatial.conv.bn.running_mean",
                                            "spatial.conv.bn.running_var", "spatial.conv.bn.num_batches_tracked"};
  std::vector<std::string> both = channel;
  both.insert(both.end(), spatial.begin(), spatial.end());
  CHECK(names("cbam") == both);
  CHECK(names("cbam-channel") == channel);
  CHECK(names("cbam-spatial") == spatial);
  CHECK(make_attention({.kind = "cbam"}, 32)->hidden() == 2);
  CHECK(make_attention({.kind = "cbam"}, 8)->hidden() == 1);
  CHECK(make_attention({.kind = "cbam"}, 24)->hidden() == 2);  // round(1.5) = 2
}

TEST_CASE("CBAM: options of the other half and an even spatial kernel are refused") {
  OptionValues o;
  o.set("spatial_kernel", int64_t{6});
  CHECK_THROWS_WITH(complete({.kind = "cbam", .options = o}), Catch::Contains("option 'spatial_kernel' must be odd"));
  CHECK_THROWS_WITH(complete({.kind = "cbam-channel", .options = o}),
                    Catch::Contains("attention 'cbam-channel' takes no option 'spatial_kernel'"));
  o = {};
  o.set("reduction", int64_t{4});
  CHECK_THROWS_WITH(complete({.kind = "cbam-spatial", .options = o}),
                    Catch::Contains("attention 'cbam-spatial' takes no option 'reduction'"));
  o.set("squeeze", std::string("max"));
  CHECK_THROWS_WITH(complete({.kind = "cbam", .options = o}), Catch::Contains("attention 'cbam' takes no option 'squeeze'"));
}

TEST_CASE("CBAM: a spatial kernel over 255 is refused before any weight exists, one wider than the map is unfit there") {
  // fuzz_attention: --spatial-kernel 11111 on ResNet-20 built 9 modules of 11111^2 weights.
  OptionValues o;
  o.set("spatial_kernel", int64_t{11111});
  for (const char* kind : {"cbam", "cbam-spatial"})
    CHECK_THROWS_WITH(complete({.kind = kind, .options = o}), Catch::Contains("must be at most 255"));
  o.set("spatial_kernel", int64_t{15});
  const OptionValues full = complete({.kind = "cbam", .options = o}).options;
  const AttentionKind& cbam = attention_kind("cbam");
  CHECK(cbam.unfit(full, {.channels = 16, .height = 8, .width = 8}).empty());  // 15 = 2 * 8 - 1
  CHECK_THAT(cbam.unfit(full, {.channels = 16, .height = 7, .width = 7}),
             Catch::Contains("spatial_kernel 15 is wider than the 7x7 map can use") &&
                 Catch::Contains("use spatial_kernel <= 13"));
  CHECK(cbam.unfit(full, {.channels = 16}).empty());  // map not known
}
