// tests/fixtures.h — paths of test data and the PyTorch fixtures.
//
// Fixtures are safetensors files written by tests/reference/make_fixtures.py (PyTorch, run once
// by a developer, committed) into tests/fixtures/; the suite itself needs no Python.
#pragma once

#include <optional>
#include <string>

#include "core/safetensors.h"

namespace excite::testing {

std::string source_dir();                       // the repository root
std::string shared_dir();                        // ../shared beside the repository
SafetensorsFile load_fixture(const std::string& name);  // tests/fixtures/<name>.safetensors
// A fresh, empty temporary directory for one test (removed by the OS's tmp cleaning).
std::string temp_dir(const std::string& tag);
// The whole file's bytes; "" when it cannot be read.
std::string slurp(const std::string& path);
// Whether Debian's dataset-fashion-mnist is installed; when not, says so (a Catch2 WARN) so that
// the calling test can return early as skipped.
bool have_fashion_mnist();

// Relative error max|a - b| / max(max|b|, floor): the parity measure used against PyTorch.
float relative_error(const Tensor& actual, const Tensor& expected, float floor = 1.f);

}  // namespace excite::testing
