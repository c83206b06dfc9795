// The attention kind "ge" (layers/ge.cpp): Gather-Excite theta-minus (global and extents 2, 4, 8)
// and theta, parity with the PyTorch twin (timm's GatherExcite semantics and keys), its options.
#include "attention_kind_parity.h"

using namespace excite;
using namespace excite::layers;
using namespace excite::testing::attention;

TEST_CASE("GE: parity with timm's GatherExcite - theta-minus at every extent, theta, every gate") {
  CHECK(run_module_cases({"ge"}) == 10);  // of 12: the two theta-plus (MLP) cases are not a kind option
}

TEST_CASE("GE: parity of a ResNet-8 with GE theta-minus extent 2 in every block, keyed se") {
  run_model_case("ge");
}
TEST_CASE("GE: parity of a ResNet-8 with GE-theta extent 2 in every block") { run_model_case("ge-theta"); }

TEST_CASE("GE: theta-minus has no parameters - theta's keys as timm - bad extents refused") {
  CHECK(make_attention({.kind = "ge"}, 16)->state_dict().empty());
  OptionValues o;
  o.set("extent", int64_t{4});
  o.set("theta", true);
  std::vector<std::string> keys;
  for (const NamedTensor& t : make_attention({.kind = "ge", .options = o}, 16)->state_dict()) keys.push_back(t.name);
  REQUIRE(keys.size() == 12);
  CHECK(keys[0] == "gather.conv1.weight");
  CHECK(keys[1] == "gather.norm1.weight");
  CHECK(keys[6] == "gather.conv2.weight");
  o.set("extent", int64_t{3});
  CHECK_THROWS_WITH(complete({.kind = "ge", .options = o}), Catch::Contains("option 'extent' must be a power of two"));
  o = {};
  o.set("extent", int64_t{8});
  auto m = make_attention({.kind = "ge", .options = o}, 4);
  CHECK_THROWS_WITH((*m)(Variable(Tensor({1, 4, 5, 5}))), Catch::Contains("option 'extent' 8 does not fit the 5x5 map"));
  o = {};
  o.set("reduction", int64_t{4});
  CHECK_THROWS_WITH(complete({.kind = "ge", .options = o}), Catch::Contains("attention 'ge' takes no option 'reduction'"));
}
