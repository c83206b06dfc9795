// tests/deploy/onnx_check.h — the harness of the ONNX export tests: export a model, run excite
// and the two runtimes (ONNX Runtime through node, OpenCV DNN through /usr/bin/python3) on the
// same inputs, report the worst relative error per runtime.
//
// Relative error of one output: max|runtime - excite| / max|excite| (the logits' scale), the
// worst over every model, input and batch size of a check. A missing runtime fails the test with
// the command that installs it; nothing is skipped.
#pragma once

#include <string>
#include <vector>

#include "deploy/onnx_export.h"

namespace excite::testing {

// Random BN affine parameters and running statistics (mean N(0, 0.2), var U(0.5, 2)) and random
// Linear biases, so that folding and BatchNormalization are exercised with non-trivial values.
void randomize_statistics(layers::Module& model, uint64_t seed);

struct RuntimeCheck {
  std::string model_path;  // .onnx
  std::vector<Tensor> inputs;
  std::vector<Tensor> expected;  // excite's eval-mode logits, one per input
};

struct RuntimeErrors {
  float ort = 0.f, opencv = 0.f;  // worst relative error
};

// Appends to `checks`: the model exported to dir/<name>.onnx and excite's logits for each input.
void add_check(std::vector<RuntimeCheck>& checks, layers::Module& model, const std::vector<Tensor>& inputs,
               const deploy::OnnxExportOptions& options, const std::string& dir, const std::string& name);

// Runs both runtimes over all checks (one process each) and returns the worst errors.
RuntimeErrors run_runtimes(const std::vector<RuntimeCheck>& checks, const std::string& dir);

}  // namespace excite::testing
