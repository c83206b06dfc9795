// tests/gradcheck.h — the reusable finite-difference gradient checker.
//
// check_gradients(f, inputs) builds Variables that require grad from `inputs`, reduces f's
// output to a scalar with fixed random weights (so every output element's gradient is
// exercised, not just their sum), runs backward, and compares each input's gradient with central
// differences (f(x + eps) - f(x - eps)) / 2 eps, element by element. float32 limits how close
// the two can be: the default tolerance |analytic - numeric| <= atol + rtol |numeric| is set for
// inputs of order 1 with eps = 1e-2 (loss of order 1, step error ~ eps^2, rounding ~ 1e-7 / eps).
// Inputs must stay away from kinks (relu at 0, max-pool ties) by more than eps.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"

namespace excite::testing {

struct GradCheckOptions {
  float eps = 1e-2f;
  float atol = 2e-3f;
  float rtol = 2e-2f;
  // Inputs not to be checked (e.g. integer-like or non-differentiable ones) by index.
  std::vector<size_t> skip = {};
};

struct GradCheckResult {
  bool ok = true;
  std::string report;  // the worst mismatch per input, for the test's failure message
};

using VariableFn = std::function<Variable(const std::vector<Variable>&)>;

GradCheckResult check_gradients(const VariableFn& f, const std::vector<Tensor>& inputs,
                                const GradCheckOptions& options = {});

// Random tensor with entries in [lo, hi] whose absolute value stays above `margin` (keeps
// inputs off kinks at 0).
Tensor random_input(const Shape& shape, Generator& gen, float lo = -1.f, float hi = 1.f, float margin = 0.05f);

// Distinct values 0.05 apart in random order: no near-tie that an eps = 1e-2 step could flip
// (max-pool windows, channel_max: their gradient is only defined away from ties).
Tensor spaced_input(const Shape& shape, Generator& gen);

}  // namespace excite::testing
