// ECA, CBAM and Gather-Excite composed from the primitives of autograd/ops.h, against the PyTorch
// twins of tests/reference/make_attention_fixtures.py (timm's semantics and key names):
// attention_modules.safetensors (each module alone: eval and train outputs, the input's gradient,
// every parameter's gradient, the BN buffers after the train step) and
// model_attention_resnet8.safetensors (a CIFAR ResNet-8 with the module in every block, keyed `se`,
// at the standard position: eval and train logits, loss, every gradient, every buffer).
//
// This is the recipe the layers/ kinds follow, written with bare ops and the generated weights
// (no Module): it shows the primitives suffice and that the fixtures hold together. The layers'
// own parity tests load the same fixtures through their modules and state dicts.
// Tolerance 1e-4 relative against the float64 reference. EXCITE_PARITY_REPORT=1 prints every error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "attention_fixture.h"

using namespace excite;
using namespace excite::testing;
using namespace excite::testing::attention;

namespace {

constexpr float kTolerance = 1e-4f;

// The generated state of one fixture prefix: parameters and buffers made on first use, by name,
// from the hash and the fixture's `init.<name>` range.
class Generated {
 public:
  Generated(const SafetensorsFile& f, std::string prefix) : f_(f), prefix_(std::move(prefix)) {}

  Variable param(const std::string& name, const Shape& shape) {
    auto it = params_.find(name);
    if (it != params_.end()) return it->second;
    Variable v(generate(name, shape), true);
    params_.emplace(name, v);
    return v;
  }
  Tensor& buffer(const std::string& name, const Shape& shape) {
    auto it = buffers_.find(name);
    if (it == buffers_.end()) it = buffers_.emplace(name, generate(name, shape)).first;
    return it->second;
  }
  // BatchNorm2d `name` over C channels (torch's momentum 0.1, eps 1e-5).
  Variable batch_norm(const Variable& x, const std::string& name, bool training) {
    const int64_t C = x.size(1);
    counters_.push_back(name + ".num_batches_tracked");
    return excite::batch_norm(x, param(name + ".weight", {C}), param(name + ".bias", {C}),
                              buffer(name + ".running_mean", {C}), buffer(name + ".running_var", {C}), training, 0.1f,
                              1e-5f);
  }

  const std::map<std::string, Variable>& params() const { return params_; }
  const std::map<std::string, Tensor>& buffers() const { return buffers_; }
  // Every state key made, sorted (torch's order is the layers' concern).
  std::vector<std::string> state_keys() const {
    std::vector<std::string> keys(counters_.begin(), counters_.end());
    for (const auto& [k, v] : params_) keys.push_back(k);
    for (const auto& [k, v] : buffers_) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }

 private:
  Tensor generate(const std::string& name, const Shape& shape) {
    const Tensor& range = f_.at(prefix_ + "init." + name);
    return hash_uniform(name, shape, range[0], range[1]);
  }
  const SafetensorsFile& f_;
  std::string prefix_;
  std::map<std::string, Variable> params_;
  std::map<std::string, Tensor> buffers_;
  std::vector<std::string> counters_;
};

Variable gate(const Variable& z, const std::string& g) {
  if (g == "sigmoid") return sigmoid(z);
  if (g == "hard_sigmoid") return hardsigmoid(z);
  if (g == "tanh") return tanh(z);
  if (g == "relu") return relu(z);
  FAIL("unknown gate " << g);
  return z;
}

// A 1x1 convolution on [N, C, h, w] (timm's fc1/fc2 of CBAM and GE's ConvMlp).
Variable conv1x1(const Variable& x, Generated& P, const std::string& name, int64_t out, bool bias) {
  const int64_t in = x.size(1);
  return conv2d(x, P.param(name + ".weight", {out, in, 1, 1}), bias ? P.param(name + ".bias", {out}) : Variable(), {});
}

// The attention module of case options `o` on x, its state under `at` ("" or "layer1.0.se.").
Variable attention_module(const Variable& x, const json& o, Generated& P, const std::string& at, bool training) {
  const std::string kind = o["kind"], g = o["gate"];
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  if (kind == "eca") {
    const int64_t k = o["kernel_size"];
    const Variable y = channel_conv1d(global_avg_pool(x), P.param(at + "conv.weight", {1, 1, k}), (k - 1) / 2);
    return channel_scale(x, gate(y, g));
  }
  if (kind == "cbam" || kind == "cbam-channel" || kind == "cbam-spatial") {
    Variable out = x;
    if (kind != "cbam-spatial") {
      const int64_t hidden = o["hidden"];
      const bool bias = o["bias"];
      auto mlp = [&](const Variable& v) {
        const Variable h = relu(conv1x1(reshape(v, {N, C, 1, 1}), P, at + "channel.fc1", hidden, bias));
        return conv1x1(h, P, at + "channel.fc2", C, bias);
      };
      const Variable s = gate(mlp(global_avg_pool(out)) + mlp(global_max_pool(out)), g);
      out = channel_scale(out, reshape(s, {N, C}));
    }
    if (kind != "cbam-channel") {
      const int64_t k = o["spatial_kernel_size"];
      const Variable maps = cat({channel_mean(out), channel_max(out, MaxTies::Split)}, 1);  // mean first, as timm
      Variable z = conv2d(maps, P.param(at + "spatial.conv.conv.weight", {1, 2, k, k}), Variable(),
                          {.pad_h = k / 2, .pad_w = k / 2});
      z = P.batch_norm(z, at + "spatial.conv.bn", training);
      out = spatial_scale(out, gate(z, g));
    }
    return out;
  }
  REQUIRE(kind == "ge");
  const int64_t extent = o["extent"];
  Variable gathered;
  if (o["theta"]) {
    const int convs = static_cast<int>(std::log2(extent));
    gathered = x;
    for (int i = 1; i <= convs; ++i) {
      const std::string conv = at + "gather.conv" + std::to_string(i), norm = at + "gather.norm" + std::to_string(i);
      gathered = conv2d(gathered, P.param(conv + ".weight", {C, 1, 3, 3}), Variable(),
                        {.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1, .groups = C});
      gathered = P.batch_norm(gathered, norm, training);
      if (i != convs) gathered = relu(gathered);
    }
  } else if (extent == 0) {
    gathered = reshape(global_avg_pool(x), {N, C, 1, 1});
  } else {
    const json& p = o["pool"];
    const int64_t k = p["kernel"], s = p["stride"], pad = p["padding"];
    gathered = avg_pool2d(x, {.kernel_h = k, .kernel_w = k, .stride_h = s, .stride_w = s, .pad_h = pad, .pad_w = pad,
                              .count_include_pad = p["count_include_pad"]});
  }
  if (o["mlp"]) {
    const int64_t hidden = o["hidden"];
    gathered = conv1x1(relu(conv1x1(gathered, P, at + "mlp.fc1", hidden, true)), P, at + "mlp.fc2", C, true);
  }
  const Variable z = gate(gathered, g);
  if (z.size(2) == 1 && z.size(3) == 1) return channel_scale(x, reshape(z, {N, C}));
  return x * upsample_nearest(z, H, W);
}

std::vector<std::string> json_strings(const SafetensorsFile& f, const std::string& key) {
  return json::parse(f.metadata.at(key)).get<std::vector<std::string>>();
}

Tensor generated_input(const SafetensorsFile& f, const std::string& prefix) {
  std::vector<int64_t> dims;
  for (float d : f.at(prefix + "input_shape")) dims.push_back(static_cast<int64_t>(d));
  return hash_uniform(prefix + "input", Shape(dims), -2.f, 2.f);
}

// The state keys made must be torch's (as a set), every parameter must have its gradient
// compared, and every buffer its value after the train step.
void check_state(const SafetensorsFile& f, const std::string& prefix, const Generated& P, Worst& worst) {
  std::vector<std::string> torch_keys = json_strings(f, prefix + "state");
  std::sort(torch_keys.begin(), torch_keys.end());
  CHECK(P.state_keys() == torch_keys);
  for (const std::string& name : json_strings(f, prefix + "parameters")) {
    INFO(prefix << ": parameter " << name << " was not used or got no gradient");
    REQUIRE(P.params().count(name));
    REQUIRE(P.params().at(name).grad().defined());
    worst.check(f, prefix + "grad." + name, P.params().at(name).grad(), kTolerance);
  }
  for (const auto& [name, value] : P.buffers()) worst.check(f, prefix + "after." + name, value, kTolerance);
}

// --- ResNet-8 (make_fixtures.py's ResNetTwin, CIFAR stem, one BasicBlock per stage) ---

Variable conv3x3(const Variable& x, Generated& P, const std::string& name, int64_t out, int64_t stride) {
  return conv2d(x, P.param(name, {out, x.size(1), 3, 3}), Variable(),
                {.stride_h = stride, .stride_w = stride, .pad_h = 1, .pad_w = 1});
}

Variable resnet8(const Variable& x, const json& c, Generated& P, bool training) {
  Variable h = relu(P.batch_norm(conv3x3(x, P, "conv1.weight", 16, 1), "bn1", training));
  const std::vector<int64_t> widths = {16, 32, 64};
  for (int s = 1; s <= 3; ++s) {
    const std::string at = "layer" + std::to_string(s) + ".0.";
    const int64_t cout = widths[s - 1], stride = s == 1 ? 1 : 2;
    Variable residual = h;
    if (stride != 1 || h.size(1) != cout) {
      residual = conv2d(h, P.param(at + "shortcut.0.weight", {cout, h.size(1), 1, 1}), Variable(),
                        {.stride_h = stride, .stride_w = stride});
      residual = P.batch_norm(residual, at + "shortcut.1", training);
    }
    Variable out = relu(P.batch_norm(conv3x3(h, P, at + "conv1.weight", cout, stride), at + "bn1", training));
    out = P.batch_norm(conv3x3(out, P, at + "conv2.weight", cout, 1), at + "bn2", training);
    out = attention_module(out, c["attention"][at + "se"], P, at + "se.", training);  // standard: after bn2, before the add
    h = relu(out + residual);
  }
  const int64_t K = c["num_classes"];
  return linear(global_avg_pool(h), P.param("fc.weight", {K, 64}), P.param("fc.bias", {K}));
}

}  // namespace

TEST_CASE("parity: ECA, CBAM (both halves, each half), Gather-Excite (theta-minus, theta, theta-plus) from ops") {
  const SafetensorsFile f = load_fixture("attention_modules");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"], prefix = name + "/";
    SECTION(name) {
      Generated P(f, prefix);
      Worst worst;
      const Tensor x = generated_input(f, prefix);
      {
        NoGradGuard no_grad;
        worst.check(f, prefix + "out_eval", attention_module(Variable(x), c, P, "", false).data(), kTolerance);
      }
      Variable xv(x.clone(), true);
      Variable out = attention_module(xv, c, P, "", true);
      worst.check(f, prefix + "out_train", out.data(), kTolerance);
      out.backward(hash_uniform("grad_out", out.shape(), -1.f, 1.f));
      worst.check(f, prefix + "grad_input", xv.grad(), kTolerance);
      check_state(f, prefix, P, worst);
      if (report_enabled()) std::cout << "parity attention_modules/" << name << " worst rel_err " << worst.err << " at " << worst.key << "\n";
    }
  }
}

TEST_CASE("parity: ResNet-8 with ECA, CBAM, CBAM halves, GE and GE-theta in every block, from ops") {
  const SafetensorsFile f = load_fixture("model_attention_resnet8");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"], prefix = name + "/";
    SECTION(name) {
      Generated P(f, prefix);
      Worst worst;
      const Tensor x = generated_input(f, prefix);
      {
        NoGradGuard no_grad;
        worst.check(f, prefix + "out_eval", resnet8(Variable(x), c, P, false).data(), kTolerance);
      }
      Variable out = resnet8(Variable(x), c, P, true);
      worst.check(f, prefix + "out_train", out.data(), kTolerance);
      std::vector<int64_t> labels;
      for (float v : f.at(prefix + "labels")) labels.push_back(static_cast<int64_t>(v));
      Variable loss = cross_entropy(out, labels);
      worst.check(f, prefix + "loss", loss.data(), kTolerance);
      loss.backward();
      check_state(f, prefix, P, worst);
      if (report_enabled()) std::cout << "parity model_attention_resnet8/" << name << " worst rel_err " << worst.err << " at " << worst.key << "\n";
    }
  }
}

TEST_CASE("the hash of the attention tests matches the script's") {
  const SafetensorsFile f = load_fixture("hash_check");
  CHECK(max_abs_diff(hash_uniform("check", {3, 5}, -0.5f, 1.5f), f.at("uniform.check")) == 0.f);
  CHECK(max_abs_diff(hash_uniform("layer1.0.conv1.weight", {2, 2, 3, 3}, -1.f, 1.f),
                     f.at("uniform.layer1.0.conv1.weight")) == 0.f);
}
