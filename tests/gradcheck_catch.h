// tests/gradcheck_catch.h — the gradient check as a Catch2 assertion: fails the current test
// with the checker's report (the worst element per input) when any gradient is off.
#pragma once

#include <catch2/catch.hpp>

#include "gradcheck.h"

namespace excite::testing {

inline void expect_grads(const VariableFn& f, const std::vector<Tensor>& inputs, GradCheckOptions options = {}) {
  GradCheckResult r = check_gradients(f, inputs, options);
  INFO(r.report);
  CHECK(r.ok);
}

}  // namespace excite::testing
