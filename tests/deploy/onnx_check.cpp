// tests/deploy/onnx_check.cpp — see onnx_check.h.
#include "onnx_check.h"

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "catch2/catch.hpp"
#include "core/npy.h"
#include "fixtures.h"
#include "layers/batchnorm.h"
#include "layers/linear.h"

namespace excite::testing {

void randomize_statistics(layers::Module& model, uint64_t seed) {
  Generator gen(seed);
  for (const layers::NamedModule& m : model.named_modules()) {
    if (auto* bn = dynamic_cast<layers::BatchNorm2d*>(m.module)) {
      bn->buffer("running_mean").copy_from(Tensor::normal(bn->buffer("running_mean").shape(), 0.f, 0.2f, gen));
      bn->buffer("running_var").copy_from(Tensor::uniform(bn->buffer("running_var").shape(), 0.5f, 2.f, gen));
      if (bn->weight().defined()) {
        bn->weight().data().copy_from(Tensor::uniform(bn->weight().shape(), 0.5f, 1.5f, gen));
        bn->bias().data().copy_from(Tensor::normal(bn->bias().shape(), 0.f, 0.2f, gen));
      }
    } else if (auto* fc = dynamic_cast<layers::Linear*>(m.module)) {
      for (layers::NamedParameter p : fc->named_parameters())
        if (p.name == "bias") p.value.data().copy_from(Tensor::normal(p.value.shape(), 0.f, 0.2f, gen));
    }
  }
}

namespace {

float relative(const Tensor& got, const Tensor& want) {
  REQUIRE(got.numel() == want.numel());
  float diff = 0.f, scale = 1e-6f;
  for (int64_t i = 0; i < want.numel(); ++i) {
    diff = std::max(diff, std::fabs(got[i] - want[i]));
    scale = std::max(scale, std::fabs(want[i]));
  }
  return std::isfinite(diff) ? diff / scale : INFINITY;
}

// Runs `program script triples...`; fails the test with the runtime's message on error.
float run_one(const std::string& runtime, const std::string& launcher, const std::vector<RuntimeCheck>& checks,
              const std::string& dir) {
  std::string cmd = launcher;
  std::vector<std::pair<std::string, const Tensor*>> outputs;
  int k = 0;
  for (const RuntimeCheck& c : checks)
    for (size_t i = 0; i < c.inputs.size(); ++i, ++k) {
      const std::string in = dir + "/in_" + std::to_string(k) + ".npy";
      const std::string out = dir + "/" + runtime + "_out_" + std::to_string(k) + ".npy";
      save_npy(in, c.inputs[i]);
      std::filesystem::remove(out);
      cmd += " '" + c.model_path + "' '" + in + "' '" + out + "'";
      outputs.push_back({out, &c.expected[i]});
    }
  const std::string log = dir + "/" + runtime + ".log";
  const int status = std::system((cmd + " > '" + log + "' 2>&1").c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  INFO(runtime << " said: " << slurp(log));
  if (code == 3 || code == 127)
    FAIL(runtime << " is not installed: run scripts/setup.sh (it installs onnxruntime-node into tools/ort with "
                    "npm install --ignore-scripts, and Debian's nodejs, npm and python3-opencv)");
  REQUIRE(code == 0);
  float worst = 0.f;
  for (const auto& [path, want] : outputs) worst = std::max(worst, relative(load_npy(path), *want));
  return worst;
}

}  // namespace

void add_check(std::vector<RuntimeCheck>& checks, layers::Module& model, const std::vector<Tensor>& inputs,
               const deploy::OnnxExportOptions& options, const std::string& dir, const std::string& name) {
  RuntimeCheck c{.model_path = dir + "/" + name + ".onnx", .inputs = inputs, .expected = {}};
  const Tensor& first = inputs.front();
  deploy::export_onnx(model, {1, first.size(1), first.size(2), first.size(3)}, options, c.model_path);
  model.eval();
  NoGradGuard no_grad;
  for (const Tensor& x : inputs) c.expected.push_back(model(Variable(x)).data().clone());
  checks.push_back(std::move(c));
}

RuntimeErrors run_runtimes(const std::vector<RuntimeCheck>& checks, const std::string& dir) {
  const std::string tests = source_dir() + "/tests/deploy";
  RuntimeErrors e;
  e.ort = run_one("onnxruntime", "node '" + tests + "/run_ort.js'", checks, dir);
  e.opencv = run_one("opencv", "/usr/bin/python3 '" + tests + "/run_opencv.py'", checks, dir);
  return e;
}

}  // namespace excite::testing
