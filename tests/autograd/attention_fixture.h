// tests/autograd/attention_fixture.h — reading the fixtures of tests/reference/
// make_attention_fixtures.py (whose docstring documents their layout) in the attention tests.
//
// Holds: the counter-based hash that generates model-layout weights and inputs (the same as
// make_fixtures.py's and tests/layers/test_parity_models.cpp's, checked here against
// hash_check.safetensors too), the comparison with a fixture entry stored whole or as a summary
// (128 samples, norm, max |t|, 4 random projections), and the runner of op-layout cases.
// Leaves out: building excite's modules (tests/layers does that once layers/ has the kinds).
// Merge note: test_parity_models.cpp and test_parity_ops.cpp hold private copies of the same
// helpers; they could all move to tests/fixtures.h.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "fixture_hash.h"
#include "fixtures.h"

namespace excite::testing::attention {

using nlohmann::json;

inline bool report_enabled() {
  const char* v = std::getenv("EXCITE_PARITY_REPORT");
  return v != nullptr && *v != '\0' && *v != '0';
}

inline std::vector<json> cases_of(const SafetensorsFile& f) {
  auto it = f.metadata.find("cases");
  REQUIRE(it != f.metadata.end());
  return json::parse(it->second).get<std::vector<json>>();
}

// The relative error of `actual` against fixture entry `key`: stored whole, max |a - b| / max |b|;
// summarised, the largest of the sample error / max |t| and the norm and projection errors / norm.
inline float fixture_error(const SafetensorsFile& f, const std::string& key, const Tensor& actual) {
  if (const NamedTensor* whole = f.find(key)) {
    INFO(key << ": shape " << actual.shape() << " vs expected " << whole->value.shape());
    REQUIRE(actual.numel() == whole->value.numel());
    return relative_error(actual.reshape(whole->value.shape()), whole->value, 1e-12f);
  }
  const Tensor& sample = f.at("sample." + key);
  const Tensor& stats = f.at("stats." + key);
  const double norm = std::max<double>(stats[0], 1e-30), max_abs = std::max<double>(stats[1], 1e-30);
  const int64_t n = actual.numel(), samples = sample.numel();
  double err = 0;
  for (int64_t j = 0; j < samples; ++j) err = std::max(err, std::fabs(actual[j * n / samples] - sample[j]) / max_abs);
  double sq = 0;
  for (float v : actual) sq += double(v) * v;
  err = std::max(err, std::fabs(std::sqrt(sq) - stats[0]) / norm);
  for (int k = 0; k < 4; ++k)
    err = std::max(err, std::fabs(hash_projection(key + "#probe" + std::to_string(k), actual) - stats[2 + k]) / norm);
  return static_cast<float>(err);
}

// Compares and records: CHECKs err <= tolerance, prints it with EXCITE_PARITY_REPORT=1, and keeps
// the worst (for the report line of a whole module or model).
struct Worst {
  float err = 0.f;
  std::string key;
  float check(const SafetensorsFile& f, const std::string& entry, const Tensor& actual, float tolerance) {
    const float e = fixture_error(f, entry, actual);
    if (report_enabled()) std::cout << "  parity " << entry << " rel_err " << e << "\n";
    INFO(entry << ": relative error " << e << " (tolerance " << tolerance << ")");
    CHECK(e <= tolerance);
    if (e >= err) {
      err = e;
      key = entry;
    }
    return e;
  }
};

// --- op-layout cases: `c.<input>`, `c.out`, `c.grad_out`, `c.grad_<input>` ---

using Inputs = std::map<std::string, Variable>;
using OpFn = std::function<Variable(Inputs&)>;

// Loads case `c`'s inputs, marks the `differentiable` ones, runs `op`, backpropagates c.grad_out
// and compares the output and the gradients; returns the worst relative error.
inline float run_op_case(const SafetensorsFile& f, const std::string& c, const std::vector<std::string>& differentiable,
                         const OpFn& op, float tolerance = 1e-4f) {
  Inputs in;
  const std::string prefix = c + ".";
  for (const NamedTensor& t : f.tensors) {
    if (t.name.rfind(prefix, 0) != 0) continue;
    const std::string key = t.name.substr(prefix.size());
    if (key == "out" || key == "grad_out" || key.rfind("grad_", 0) == 0) continue;
    in[key] = Variable(t.value.clone(), false);
  }
  for (const std::string& k : differentiable) {
    INFO(c << ": the fixture has no input " << k);
    REQUIRE(in.count(k));
    in[k].set_requires_grad(true);
  }
  Worst worst;
  Variable out = op(in);
  worst.check(f, prefix + "out", out.data(), tolerance);
  out.backward(f.at(prefix + "grad_out"));
  for (const std::string& k : differentiable) {
    INFO(c << ": no gradient for " << k);
    REQUIRE(in[k].grad().defined());
    worst.check(f, prefix + "grad_" + k, in[k].grad(), tolerance);
  }
  return worst.err;
}

}  // namespace excite::testing::attention
