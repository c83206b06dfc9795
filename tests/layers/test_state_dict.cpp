// State dict <-> safetensors: round trip, I64 num_batches_tracked, strict and non-strict loading,
// bad files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "fixtures.h"
#include "layers/layers.h"

using namespace excite;
using namespace excite::layers;

namespace {

// conv1 -> bn1 -> fc: every kind of entry (weight without bias, BN buffers, linear bias).
class Small : public Module {
 public:
  explicit Small(int64_t classes = 4) : Module("Small") {
    conv1_ = register_module("conv1", std::make_shared<Conv2d>(Conv2dOptions{.in = 2, .out = 3, .kernel = 3, .bias = false}));
    bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = 3}));
    fc_ = register_module("fc", std::make_shared<Linear>(LinearOptions{.in = 3, .out = classes}));
  }
  Variable forward(const Variable& x) override { return (*fc_)(global_avg_pool(relu((*bn1_)((*conv1_)(x))))); }

 private:
  std::shared_ptr<Conv2d> conv1_;
  std::shared_ptr<BatchNorm2d> bn1_;
  std::shared_ptr<Linear> fc_;
};

void expect_same_state(const Module& a, const Module& b) {
  auto sa = a.state_dict(), sb = b.state_dict();
  REQUIRE(sa.size() == sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    INFO(sa[i].name);
    CHECK(sa[i].name == sb[i].name);
    CHECK(sa[i].value.shape() == sb[i].value.shape());
    CHECK(max_abs_diff(sa[i].value, sb[i].value) == 0.f);
  }
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

}  // namespace

TEST_CASE("state dict: save -> load round trip, num_batches_tracked as I64") {
  manual_seed(3);
  Small a;
  a(Variable(Tensor::normal({4, 2, 5, 5}, 0.f, 1.f)));  // moves running stats, counts one batch
  a(Variable(Tensor::normal({4, 2, 5, 5}, 0.f, 1.f)));
  const std::string path = testing::temp_dir("state-dict") + "/small.safetensors";
  save_weights(a, path, {{"arch", "small"}});

  SafetensorsFile file = load_safetensors(path);
  CHECK(file.metadata.at("arch") == "small");
  REQUIRE(file.find("bn1.num_batches_tracked") != nullptr);
  CHECK(file.find("bn1.num_batches_tracked")->dtype == DType::I64);
  CHECK(file.find("bn1.num_batches_tracked")->value.shape() == Shape{});
  CHECK(file.at("bn1.num_batches_tracked").item() == 2.f);
  CHECK(file.find("bn1.running_mean")->dtype == DType::F32);

  manual_seed(4);
  Small b;
  Tensor held = b.named_parameters()[0].value.data();  // a handle taken before loading
  LoadReport r = load_weights(b, path);
  CHECK(r.complete());
  CHECK(r.loaded.size() == a.state_dict().size());
  expect_same_state(a, b);
  CHECK(max_abs_diff(held, a.named_parameters()[0].value.data()) == 0.f);  // loaded in place

  Variable x(Tensor::normal({2, 2, 5, 5}, 0.f, 1.f));
  a.eval();
  b.eval();
  CHECK(max_abs_diff(a(x).data(), b(x).data()) == 0.f);
}

TEST_CASE("state dict: strict load lists missing, unexpected and mis-shaped keys, changes nothing") {
  manual_seed(5);
  Small a;
  auto state = a.state_dict();
  std::vector<NamedTensor> edited;
  for (auto& t : state) {
    if (t.name == "bn1.running_var") continue;                                       // missing
    if (t.name == "fc.weight") t.value = Tensor::zeros({7, 3});                       // mis-shaped
    edited.push_back(t);
  }
  edited.push_back({"head.weight", Tensor::zeros({2}), DType::F32});                // unexpected
  Small b;
  const Tensor before = b.state_dict()[0].value.clone();
  try {
    load_state_dict(b, edited);
    FAIL("strict load accepted a mismatched state dict");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("1 missing, 1 unexpected, 1 mis-shaped"));
    CHECK_THAT(m, Catch::Contains("missing:     bn1.running_var"));
    CHECK_THAT(m, Catch::Contains("unexpected:  head.weight"));
    CHECK_THAT(m, Catch::Contains("fc.weight (model [4, 3], file [7, 3])"));
    CHECK_THAT(m, Catch::Contains("strict = false"));
  }
  CHECK(max_abs_diff(b.state_dict()[0].value, before) == 0.f);

  // Non-strict: everything that matches is loaded, the rest is reported.
  LoadReport r = load_state_dict(b, edited, {.strict = false});
  CHECK_FALSE(r.complete());
  CHECK(r.missing == std::vector<std::string>{"bn1.running_var"});
  CHECK(r.unexpected == std::vector<std::string>{"head.weight"});
  REQUIRE(r.mismatched.size() == 1);
  CHECK(r.mismatched[0].expected == Shape{4, 3});
  CHECK(r.mismatched[0].got == Shape{7, 3});
  CHECK(max_abs_diff(b.state_dict()[0].value, a.state_dict()[0].value) == 0.f);
}

TEST_CASE("state dict: fine-tuning a new head with strict = false") {
  Small ten(10);
  const std::string path = testing::temp_dir("finetune") + "/ten.safetensors";
  save_weights(ten, path);
  Small four(4);
  CHECK_THROWS_WITH(load_weights(four, path), Catch::Contains("fc.weight") && Catch::Contains(path));
  LoadReport r = load_weights(four, path, {.strict = false});
  CHECK(r.mismatched.size() == 2);  // fc.weight and fc.bias
  CHECK(r.loaded.size() == ten.state_dict().size() - 2);
}

TEST_CASE("state dict: garbage, truncated and missing files give clear errors") {
  const std::string dir = testing::temp_dir("bad-weights");
  Small a;
  const std::string good = dir + "/good.safetensors";
  save_weights(a, good);
  const std::string bytes = read_all(good);

  write_all(dir + "/garbage.safetensors", "this is not a safetensors file at all, just text");
  CHECK_THROWS_AS(load_weights(a, dir + "/garbage.safetensors"), Error);
  CHECK_THROWS_WITH(load_weights(a, dir + "/garbage.safetensors"), Catch::Contains("garbage.safetensors"));

  write_all(dir + "/truncated.safetensors", bytes.substr(0, bytes.size() - 40));
  CHECK_THROWS_WITH(load_weights(a, dir + "/truncated.safetensors"), Catch::Contains("truncated.safetensors"));

  write_all(dir + "/header-only.safetensors", bytes.substr(0, 6));
  CHECK_THROWS_AS(load_weights(a, dir + "/header-only.safetensors"), Error);

  write_all(dir + "/empty.safetensors", "");
  CHECK_THROWS_AS(load_weights(a, dir + "/empty.safetensors"), Error);

  CHECK_THROWS_WITH(load_weights(a, dir + "/absent.safetensors"), Catch::Contains("absent.safetensors"));

  // A valid file for a different model: strict load names the problem keys.
  LoadReport ok = load_weights(a, good);
  CHECK(ok.complete());
}

TEST_CASE("state dict: duplicate keys are rejected") {
  Small a;
  auto state = a.state_dict();
  state.push_back(state[0]);
  CHECK_THROWS_WITH(load_state_dict(a, state), Catch::Contains("appears twice"));
}
