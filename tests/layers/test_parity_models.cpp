// Parity of modules, SE variants and whole models with their PyTorch twins
// (tests/reference/make_fixtures.py, which documents the fixture layout).
//
// A model fixture does not store the model's weights: every floating-point state entry `name` is
// generated from a counter-based hash, identically in the script and here (hash_uniform below),
// within the range [lo, hi] the fixture records as `init.<name>`; num_batches_tracked is stored
// as `state.<name>`. The test builds excite's model, checks that its state-dict keys are torch's
// (same names, same order), loads the generated state through layers::load_state_dict (strict),
// and compares:
//   out_eval    the output in eval mode (running statistics),
//   out_train   the output in train mode (batch statistics),
//   loss        cross_entropy(out_train, labels) (or sum(out_train * w) for blocks),
//   grad.<p>    every parameter's gradient after one backward pass,
//   after.<b>   every buffer after the train-mode pass (running statistics, batch count).
// Small tensors are stored whole and compared with relative_error (relative to the tensor's
// largest entry). Large ones are stored as a summary (256 strided samples, the L2 norm, the
// largest |entry| and 4 random +-1 projections): the samples are compared relative to the largest
// |entry|, the norm and the projections relative to the norm, so every element counts.
// Set EXCITE_PARITY_REPORT=1 to print the largest error of every model and fixture key.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "autograd/ops.h"
#include "fixtures.h"
#include "layers/layers.h"

using namespace excite;
using namespace excite::testing;
using nlohmann::json;

namespace {

bool report_enabled() {
  const char* v = std::getenv("EXCITE_PARITY_REPORT");
  return v != nullptr && *v != '\0' && *v != '0';
}

// --- the hash shared with make_fixtures.py ---

uint32_t fnv1a32(const std::string& text) {
  uint32_t h = 0x811C9DC5u;
  for (unsigned char c : text) h = (h ^ c) * 0x01000193u;
  return h;
}

uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

uint32_t hash_bits(uint32_t seed, int64_t i) { return lowbias32(lowbias32(static_cast<uint32_t>(i)) ^ seed); }

Tensor hash_uniform(const std::string& name, const Shape& shape, float lo, float hi) {
  Tensor t(shape);
  const uint32_t seed = fnv1a32(name);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double u = static_cast<double>(hash_bits(seed, i) >> 8) / 16777216.0;
    t[i] = static_cast<float>(static_cast<double>(lo) + (static_cast<double>(hi) - static_cast<double>(lo)) * u);
  }
  return t;
}

double hash_projection(const std::string& name, const Tensor& t) {
  const uint32_t seed = fnv1a32(name);
  double p = 0;
  for (int64_t i = 0; i < t.numel(); ++i) p += (hash_bits(seed, i) >> 31) ? -double(t[i]) : double(t[i]);
  return p;
}

// --- comparing with whole or summarised fixture tensors ---

constexpr int64_t kSample = 256;
constexpr int kProbes = 4;

struct Tally {
  std::string model;
  float worst = 0.f;
  std::string worst_key;
  void note(const std::string& key, float err) {
    if (report_enabled() && err > 1e-5f) std::cout << "  parity " << model << " " << key << " rel_err " << err << "\n";
    if (err > worst) worst = err, worst_key = key;
  }
  ~Tally() {
    if (report_enabled()) std::cout << "parity " << model << " worst rel_err " << worst << " at " << worst_key << "\n";
  }
};

// Compares `actual` with fixture entry `key`, stored whole or as sample./stats.; returns the error.
float compare(const SafetensorsFile& f, const std::string& key, const Tensor& actual, float tolerance, Tally& tally) {
  float err = 0.f;
  if (const NamedTensor* whole = f.find(key)) {
    INFO(key << ": shape " << actual.shape() << " vs expected " << whole->value.shape());
    REQUIRE(actual.numel() == whole->value.numel());
    err = relative_error(actual.reshape(whole->value.shape()), whole->value, 1e-12f);
  } else {
    const Tensor& sample = f.at("sample." + key);
    const Tensor& stats = f.at("stats." + key);
    const double norm = stats[0], max_abs = stats[1];
    const int64_t n = actual.numel();
    float sample_err = 0.f;
    for (int64_t j = 0; j < kSample; ++j)
      sample_err = std::max(sample_err, std::fabs(actual[j * n / kSample] - sample[j]));
    err = static_cast<float>(sample_err / std::max(max_abs, 1e-30));
    double sq = 0;
    for (float v : actual) sq += double(v) * v;
    err = std::max(err, static_cast<float>(std::fabs(std::sqrt(sq) - norm) / std::max(norm, 1e-30)));
    for (int k = 0; k < kProbes; ++k) {
      const double p = hash_projection(key + "#probe" + std::to_string(k), actual);
      err = std::max(err, static_cast<float>(std::fabs(p - stats[2 + k]) / std::max(norm, 1e-30)));
    }
  }
  tally.note(key, err);
  INFO(tally.model << " " << key << ": relative error " << err << " (tolerance " << tolerance << ")");
  CHECK(err <= tolerance);
  return err;
}

std::vector<std::string> json_list(const SafetensorsFile& f, const std::string& key) {
  return json::parse(f.metadata.at(key)).get<std::vector<std::string>>();
}

// Checks the model's state-dict keys against torch's, then loads the generated state (strict).
void load_generated_state(layers::Module& model, const SafetensorsFile& f) {
  std::vector<std::string> keys;
  for (const NamedTensor& t : model.state_dict()) keys.push_back(t.name);
  CHECK(keys == json_list(f, "state"));
  std::vector<NamedTensor> state;
  for (const NamedTensor& t : model.state_dict()) {
    if (const NamedTensor* stored = f.find("state." + t.name)) {
      state.push_back({t.name, stored->value.clone(), DType::I64});
    } else {
      const Tensor& range = f.at("init." + t.name);
      state.push_back({t.name, hash_uniform(t.name, t.value.shape(), range[0], range[1]), DType::F32});
    }
  }
  layers::load_state_dict(model, state, {.strict = true}, f.path);
}

struct Tolerances {
  float out = 1e-4f;   // logits (or block outputs), eval and train mode
  float grad = 1e-4f;  // parameter gradients
  float buffers = 1e-4f;
};

// The whole comparison described at the top of the file.
void check_model(const std::string& fixture, layers::Module& model, const Tolerances& tol) {
  const SafetensorsFile f = load_fixture(fixture);
  Tally tally{fixture, 0.f, ""};
  load_generated_state(model, f);
  const Variable x(f.at("input").clone());

  model.eval();
  {
    NoGradGuard no_grad;
    compare(f, "out_eval", model(x).data(), tol.out, tally);
  }
  model.train();
  Variable out = model(x);
  compare(f, "out_train", out.data(), tol.out, tally);
  if (f.find("labels")) {
    std::vector<int64_t> labels;
    for (float v : f.at("labels")) labels.push_back(static_cast<int64_t>(v));
    Variable loss = cross_entropy(out, labels);
    compare(f, "loss", loss.data(), tol.out, tally);
    loss.backward();
  } else {
    out.backward(hash_uniform("grad_out", out.shape(), -1.f, 1.f));
  }
  std::vector<std::string> names;
  for (const auto& p : model.named_parameters()) {
    names.push_back(p.name);
    INFO(fixture << ": parameter " << p.name << " got no gradient");
    REQUIRE(p.value.grad().defined());
    compare(f, "grad." + p.name, p.value.grad(), tol.grad, tally);
  }
  CHECK(names == json_list(f, "parameters"));
  for (const auto& b : model.named_buffers()) compare(f, "after." + b.name, b.value, tol.buffers, tally);
}

}  // namespace

TEST_CASE("parity: the hash that generates model fixture weights matches the script's") {
  const SafetensorsFile f = load_fixture("hash_check");
  CHECK(max_abs_diff(hash_uniform("check", {3, 5}, -0.5f, 1.5f), f.at("uniform.check")) == 0.f);
  CHECK(max_abs_diff(hash_uniform("layer1.0.conv1.weight", {2, 2, 3, 3}, -1.f, 1.f),
                     f.at("uniform.layer1.0.conv1.weight")) == 0.f);
  const Tensor& signs = f.at("signs.check#probe1");
  for (int64_t i = 0; i < signs.numel(); ++i)
    CHECK(signs[i] == ((hash_bits(fnv1a32("check#probe1"), i) >> 31) ? -1.f : 1.f));
  // The summary of a known tensor compares equal to itself, and a perturbed one does not.
  Tensor t({10, 100});
  for (int64_t i = 0; i < 1000; ++i) t[i] = std::pow(-1.f + 2.f * static_cast<float>(i) / 999.f, 3.f);
  Tally tally{"hash_check", 0.f, ""};
  CHECK(compare(f, "tensor", t, 1e-5f, tally) <= 1e-5f);
  t[501] += 0.1f;  // not one of the sampled indices: only the projections can see it
  const SafetensorsFile g = load_fixture("hash_check");
  float err = 0.f;
  {
    const Tensor& stats = g.at("stats.tensor");
    for (int k = 0; k < kProbes; ++k)
      err = std::max(err, static_cast<float>(std::fabs(hash_projection("tensor#probe" + std::to_string(k), t) - stats[2 + k]) / stats[0]));
  }
  CHECK(err > 1e-3f);
}

TEST_CASE("parity: a small CNN of torch.nn-style modules (Sequential names, BN buffers, pools, Linear)") {
  using namespace excite::layers;
  Sequential model{std::make_shared<Conv2d>(Conv2dOptions{.in = 3, .out = 8, .kernel = 3, .padding = 1, .bias = false}),
                   std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = 8}),
                   std::make_shared<ReLU>(),
                   std::make_shared<MaxPool2d>(MaxPool2dOptions{.kernel = 3, .stride = 2, .padding = 1}),
                   std::make_shared<Conv2d>(Conv2dOptions{.in = 8, .out = 16, .kernel = 3, .stride = 2, .padding = 1}),
                   std::make_shared<SiLU>(),
                   std::make_shared<BatchNorm2d>(BatchNorm2dOptions{.channels = 16}),
                   std::make_shared<AvgPool2d>(AvgPool2dOptions{.kernel = 2, .stride = 2, .padding = 1}),
                   std::make_shared<AdaptiveAvgPool2d>(),
                   std::make_shared<Flatten>(),
                   std::make_shared<Linear>(LinearOptions{.in = 16, .out = 5})};
  check_model("module_small_cnn", model, {});
}
