// Parity of the differentiable ops with PyTorch: forward output and the gradient of every input,
// on the fixtures written by tests/reference/make_fixtures.py (see its docstring for the layout:
// case `c` holds inputs `c.<input>`, `c.out`, the upstream gradient `c.grad_out`, and
// `c.grad_<input>`; the metadata "cases" lists each case's parameters).
//
// The measure is relative_error(actual, expected, floor = 1e-12): max |a - b| over the tensor
// divided by max |b|, i.e. relative to the tensor's own scale (the default floor of 1 would turn
// small gradients into an absolute check). The bar is 1e-4 throughout unless a case says why not.
// Set EXCITE_PARITY_REPORT=1 to print the error of every compared tensor.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "autograd/ops.h"
#include "fixtures.h"

using namespace excite;
using namespace excite::testing;
using nlohmann::json;

namespace {

constexpr float kTolerance = 1e-4f;
constexpr float kFloor = 1e-12f;

std::vector<json> cases_of(const SafetensorsFile& f) {
  auto it = f.metadata.find("cases");
  REQUIRE(it != f.metadata.end());
  return json::parse(it->second).get<std::vector<json>>();
}

bool report_enabled() {
  const char* v = std::getenv("EXCITE_PARITY_REPORT");
  return v != nullptr && *v != '\0' && *v != '0';
}

void check_close(const std::string& what, const Tensor& actual, const Tensor& expected, float tolerance) {
  INFO(what << ": shape " << actual.shape() << " vs expected " << expected.shape());
  REQUIRE(actual.shape() == expected.shape());
  const float err = relative_error(actual, expected, kFloor);
  if (report_enabled()) std::cout << "parity " << what << " rel_err " << err << "\n";
  INFO(what << ": relative error " << err << " (tolerance " << tolerance << ")");
  CHECK(err <= tolerance);
}

using Inputs = std::map<std::string, Variable>;
using OpFn = std::function<Variable(Inputs&)>;

// Loads case `c`'s inputs named in `tensors` (absent ones stay undefined Variables), marks the
// `differentiable` ones as requiring grad, runs `op`, backpropagates `c.grad_out` and compares
// the output and each differentiable input's gradient with the fixture.
void run_case(const std::string& fixture, const SafetensorsFile& f, const std::string& c,
              const std::vector<std::string>& differentiable, const OpFn& op, float tolerance = kTolerance) {
  Inputs in;
  for (const NamedTensor& t : f.tensors) {
    const std::string prefix = c + ".";
    if (t.name.rfind(prefix, 0) != 0) continue;
    const std::string key = t.name.substr(prefix.size());
    if (key.find('.') != std::string::npos || key == "out" || key == "grad_out" || key.rfind("grad_", 0) == 0)
      continue;
    in[key] = Variable(t.value.clone(), false);
  }
  for (const std::string& k : differentiable)
    if (in.count(k)) in[k].set_requires_grad(true);
  Variable out = op(in);
  const std::string where = fixture + "/" + c;
  check_close(where + " out", out.data(), f.at(c + ".out"), tolerance);
  out.backward(f.at(c + ".grad_out"));
  for (const std::string& k : differentiable) {
    if (!in.count(k)) continue;
    INFO(where << ": no gradient for " << k);
    REQUIRE(in[k].grad().defined());
    check_close(where + " grad_" + k, in[k].grad(), f.at(c + ".grad_" + k), tolerance);
  }
}

std::vector<int64_t> to_labels(const Tensor& t) {
  std::vector<int64_t> labels;
  for (float v : t) labels.push_back(static_cast<int64_t>(v));
  return labels;
}

Variable maybe(const Inputs& in, const std::string& key) {
  auto it = in.find(key);
  return it == in.end() ? Variable() : it->second;
}

}  // namespace

TEST_CASE("parity: elementwise with broadcasting, channel_scale, reductions, matmul") {
  const SafetensorsFile f = load_fixture("elementwise");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"], op = c["op"];
    SECTION(name) {
      if (op == "add") run_case("elementwise", f, name, {"a", "b"}, [](Inputs& v) { return add(v["a"], v["b"]); });
      else if (op == "sub") run_case("elementwise", f, name, {"a", "b"}, [](Inputs& v) { return sub(v["a"], v["b"]); });
      else if (op == "mul") run_case("elementwise", f, name, {"a", "b"}, [](Inputs& v) { return mul(v["a"], v["b"]); });
      else if (op == "div") run_case("elementwise", f, name, {"a", "b"}, [](Inputs& v) { return div(v["a"], v["b"]); });
      else if (op == "channel_scale")
        run_case("elementwise", f, name, {"x", "s"}, [](Inputs& v) { return channel_scale(v["x"], v["s"]); });
      else if (op == "matmul")
        run_case("elementwise", f, name, {"a", "b"}, [](Inputs& v) { return matmul(v["a"], v["b"]); });
      else if (op == "mean" || op == "sum") {
        const std::vector<int64_t> dims = c["dims"];
        const bool keep = c["keepdim"];
        run_case("elementwise", f, name, {"x"}, [&](Inputs& v) {
          return op == "mean" ? mean(v["x"], dims, keep) : sum(v["x"], dims, keep);
        });
      } else FAIL("unknown op " << op);
    }
  }
}

TEST_CASE("parity: activations (relu, sigmoid, tanh, hardsigmoid, silu), also far in the tails") {
  const SafetensorsFile f = load_fixture("activations");
  const std::map<std::string, Variable (*)(const Variable&)> fns = {
      {"relu", relu}, {"sigmoid", sigmoid}, {"tanh", tanh}, {"hardsigmoid", hardsigmoid}, {"silu", silu}};
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"], op = c["op"];
    SECTION(name) {
      auto fn = fns.at(op);
      run_case("activations", f, name, {"x"}, [fn](Inputs& v) { return fn(v["x"]); });
    }
  }
}

TEST_CASE("parity: linear with and without bias") {
  const SafetensorsFile f = load_fixture("linear");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"];
    SECTION(name) {
      run_case("linear", f, name, {"x", "weight", "bias"},
               [](Inputs& v) { return linear(v["x"], v["weight"], maybe(v, "bias")); });
    }
  }
}

TEST_CASE("parity: conv2d (strides 1/2, paddings 0/1/3, dilation 2, groups, depthwise, 1x1, rectangular)") {
  const SafetensorsFile f = load_fixture("conv2d");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"];
    SECTION(name) {
      Conv2dParams p;
      p.stride_h = c["stride"][0], p.stride_w = c["stride"][1];
      p.pad_h = c["padding"][0], p.pad_w = c["padding"][1];
      p.dilation_h = c["dilation"][0], p.dilation_w = c["dilation"][1];
      p.groups = c["groups"];
      run_case("conv2d", f, name, {"x", "weight", "bias"},
               [&](Inputs& v) { return conv2d(v["x"], v["weight"], maybe(v, "bias"), p); });
    }
  }
}

TEST_CASE("parity: batch_norm in train mode (with the running-statistics update) and eval mode") {
  const SafetensorsFile f = load_fixture("batch_norm");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"];
    SECTION(name) {
      const bool training = c["training"];
      const float momentum = c["momentum"], eps = c["eps"];
      Tensor running_mean = f.at(name + ".running_mean").clone();
      Tensor running_var = f.at(name + ".running_var").clone();
      run_case("batch_norm", f, name, {"x", "weight", "bias"}, [&](Inputs& v) {
        return batch_norm(v["x"], maybe(v, "weight"), maybe(v, "bias"), running_mean, running_var, training, momentum,
                          eps);
      });
      check_close("batch_norm/" + name + " running_mean", running_mean, f.at(name + ".running_mean_after"), kTolerance);
      check_close("batch_norm/" + name + " running_var", running_var, f.at(name + ".running_var_after"), kTolerance);
    }
  }
}

TEST_CASE("parity: max_pool2d and avg_pool2d (padding, count_include_pad), global average and max pooling") {
  const SafetensorsFile f = load_fixture("pool");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"], kind = c["kind"];
    SECTION(name) {
      if (kind == "global_avg") {
        run_case("pool", f, name, {"x"}, [](Inputs& v) { return global_avg_pool(v["x"]); });
      } else if (kind == "global_max") {
        run_case("pool", f, name, {"x"}, [](Inputs& v) { return global_max_pool(v["x"]); });
      } else {
        Pool2dParams p;
        p.kernel_h = c["kernel"][0], p.kernel_w = c["kernel"][1];
        p.stride_h = c["stride"][0], p.stride_w = c["stride"][1];
        p.pad_h = c["padding"][0], p.pad_w = c["padding"][1];
        p.count_include_pad = c["count_include_pad"];
        run_case("pool", f, name, {"x"}, [&](Inputs& v) {
          return kind == "max" ? max_pool2d(v["x"], p) : avg_pool2d(v["x"], p);
        });
      }
    }
  }
}

TEST_CASE("parity: cross_entropy, with label smoothing and with large logits") {
  const SafetensorsFile f = load_fixture("cross_entropy");
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"];
    SECTION(name) {
      const float smoothing = c["label_smoothing"];
      const std::vector<int64_t> labels = to_labels(f.at(name + ".labels"));
      run_case("cross_entropy", f, name, {"logits"},
               [&](Inputs& v) { return cross_entropy(v["logits"], labels, smoothing); });
    }
  }
}
