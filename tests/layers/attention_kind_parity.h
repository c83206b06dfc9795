// tests/layers/attention_kind_parity.h — the layers' kinds (layers/eca.cpp, cbam.cpp, ge.cpp)
// against the fixtures of tests/reference/make_attention_fixtures.py, through their modules and
// state dicts (tests/autograd/test_parity_attention_modules.cpp checks the same fixtures with
// bare ops).
//
// Holds: the kind options of a fixture case, filling a module's state from the fixture's hash,
// and the two runners: one module alone (attention_modules.safetensors: eval and train outputs,
// the input's gradient, every parameter's gradient, BN buffers after the step, the state keys as
// torch's) and a ResNet-8 with the module keyed `se` in every block
// (model_attention_resnet8.safetensors: eval and train logits, loss, every gradient and buffer).
// Tolerance 1e-4 relative. EXCITE_PARITY_REPORT=1 prints each case's worst error.
#pragma once

#include <algorithm>

#include "autograd/attention_fixture.h"
#include "layers/layers.h"

namespace excite::testing::attention {

// The kind's options of a fixture case (its twin's settings, renamed to the kind's keys).
inline layers::AttentionOptions kind_options(const json& c) {
  const std::string kind = c["kind"];
  OptionValues o;
  o.set("gate", std::string(c["gate"]));
  if (kind == "eca") o.set("eca_kernel", c["kernel_from_channels"] ? int64_t{0} : int64_t(c["kernel_size"]));
  if (kind == "cbam" || kind == "cbam-channel") {
    o.set("reduction", int64_t(c["reduction"]));
    o.set("bias", bool(c["bias"]));
  }
  if (kind == "cbam" || kind == "cbam-spatial") o.set("spatial_kernel", int64_t(c["spatial_kernel_size"]));
  if (kind == "ge") {
    o.set("extent", int64_t(c["extent"]));
    o.set("theta", bool(c["theta"]));
  }
  return {.kind = kind, .options = o};
}

// Every state entry but the counters from the fixture's hash (key `name`, range `init.<name>`).
inline void fill_state(layers::Module& m, const SafetensorsFile& f, const std::string& prefix) {
  std::vector<NamedTensor> state;
  for (const NamedTensor& t : m.state_dict()) {
    if (t.name.size() >= 19 && t.name.substr(t.name.size() - 19) == "num_batches_tracked") continue;
    const Tensor& range = f.at(prefix + "init." + t.name);
    state.push_back({t.name, hash_uniform(t.name, t.value.shape(), range[0], range[1])});
  }
  layers::load_state_dict(m, state, {.strict = false});
}

inline std::vector<std::string> strings_of(const SafetensorsFile& f, const std::string& key) {
  return json::parse(f.metadata.at(key)).get<std::vector<std::string>>();
}

inline Tensor input_of(const SafetensorsFile& f, const std::string& prefix) {
  std::vector<int64_t> dims;
  for (float d : f.at(prefix + "input_shape")) dims.push_back(static_cast<int64_t>(d));
  return hash_uniform(prefix + "input", Shape(dims), -2.f, 2.f);
}

// The state keys are torch's, every parameter's gradient and every running statistic match.
inline void check_module_state(const SafetensorsFile& f, const std::string& prefix, layers::Module& m, Worst& worst) {
  std::vector<std::string> keys, torch_keys = strings_of(f, prefix + "state");
  for (const NamedTensor& t : m.state_dict()) keys.push_back(t.name);
  std::sort(keys.begin(), keys.end());
  std::sort(torch_keys.begin(), torch_keys.end());
  CHECK(keys == torch_keys);
  std::vector<std::string> params = strings_of(f, prefix + "parameters");
  for (const layers::NamedParameter& p : m.named_parameters()) {
    INFO(prefix << ": parameter " << p.name);
    CHECK(std::find(params.begin(), params.end(), p.name) != params.end());
    REQUIRE(p.value.grad().defined());
    worst.check(f, prefix + "grad." + p.name, p.value.grad(), 1e-4f);
  }
  for (const layers::NamedBuffer& b : m.named_buffers())
    if (b.name.find("running_") != std::string::npos) worst.check(f, prefix + "after." + b.name, b.value, 1e-4f);
}

// Runs every module case of `kinds` (case kinds, e.g. {"cbam", "cbam-channel"}); returns how many ran.
inline int run_module_cases(const std::vector<std::string>& kinds) {
  const SafetensorsFile f = load_fixture("attention_modules");
  int ran = 0;
  for (const json& c : cases_of(f)) {
    if (std::find(kinds.begin(), kinds.end(), std::string(c["kind"])) == kinds.end()) continue;
    if (c.value("mlp", false)) continue;  // GE-theta-plus: not a kind option (see layers/ge.cpp)
    const std::string name = c["name"], prefix = name + "/";
    INFO("case " << name);
    auto m = layers::make_attention(kind_options(c), int64_t(c["channels"]));
    REQUIRE(m);
    fill_state(*m, f, prefix);
    Worst worst;
    const Tensor x = input_of(f, prefix);
    m->eval();
    {
      NoGradGuard no_grad;
      worst.check(f, prefix + "out_eval", (*m)(Variable(x)).data(), 1e-4f);
    }
    m->train();
    Variable xv(x.clone(), true);
    Variable out = (*m)(xv);
    worst.check(f, prefix + "out_train", out.data(), 1e-4f);
    out.backward(hash_uniform("grad_out", out.shape(), -1.f, 1.f));
    worst.check(f, prefix + "grad_input", xv.grad(), 1e-4f);
    check_module_state(f, prefix, *m, worst);
    if (report_enabled()) std::cout << "parity layers attention_modules/" << name << " worst " << worst.err << " at " << worst.key << "\n";
    CHECK(worst.err <= 1e-4f);
    ++ran;
  }
  return ran;
}

// Runs the ResNet-8 case `name` through layers::make_model, the module keyed `se` in every block.
inline void run_model_case(const std::string& name) {
  const SafetensorsFile f = load_fixture("model_attention_resnet8");
  for (const json& c : cases_of(f)) {
    if (c["name"] != name) continue;
    const std::string prefix = name + "/";
    auto model = layers::make_model({.arch = "resnet8",
                                     .num_classes = int64_t(c["num_classes"]),
                                     .in_channels = int64_t(c["in_channels"]),
                                     .attention = kind_options(c["attention"]["layer1.0.se"])});
    fill_state(*model, f, prefix);
    Worst worst;
    const Tensor x = input_of(f, prefix);
    model->eval();
    {
      NoGradGuard no_grad;
      worst.check(f, prefix + "out_eval", (*model)(Variable(x)).data(), 1e-4f);
    }
    model->train();
    Variable out = (*model)(Variable(x));
    worst.check(f, prefix + "out_train", out.data(), 1e-4f);
    std::vector<int64_t> labels;
    for (float v : f.at(prefix + "labels")) labels.push_back(static_cast<int64_t>(v));
    Variable loss = cross_entropy(out, labels);
    worst.check(f, prefix + "loss", loss.data(), 1e-4f);
    loss.backward();
    check_module_state(f, prefix, *model, worst);
    if (report_enabled()) std::cout << "parity layers model_attention_resnet8/" << name << " worst " << worst.err << " at " << worst.key << "\n";
    CHECK(worst.err <= 1e-4f);
    return;
  }
  FAIL("no case " << name << " in model_attention_resnet8.safetensors");
}

}  // namespace excite::testing::attention
