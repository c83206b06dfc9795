// tests/deploy/test_onnx_errors.cpp — bad input to the exporter: a missing or read-only output
// directory, an op without an ONNX rule, an input the model refuses, an opset out of range, an
// unknown model, weights that do not fit. Each is one line naming the problem, and nothing is
// left behind (no file, no temporary), an existing file untouched.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "catch2/catch.hpp"
#include "deploy/atomic_write.h"
#include "deploy/export_weights.h"
#include "fixtures.h"
#include "layers/state_dict.h"

using namespace excite;
using namespace excite::testing;
namespace fs = std::filesystem;

namespace {

size_t entries(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos; }

// An op the exporter has no rule for, made the way every op finishes.
class Mystery : public layers::Module {
 public:
  Mystery() : Module("Mystery") {}
  Variable forward(const Variable& x) override {
    return make_result(x.data().clone(), "mystery_op", {x}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
  }
};

}  // namespace

TEST_CASE("onnx export errors - a missing directory is one line and writes nothing", "[deploy]") {
  const std::string dir = temp_dir("onnx-missing");
  auto model = layers::make_model({.arch = "resnet8", .num_classes = 10, .in_channels = 1});
  const std::string msg = error_of([&] { deploy::export_onnx(*model, {1, 1, 28, 28}, {}, dir + "/no/such/m.onnx"); });
  CHECK_THAT(msg, Catch::Contains("does not exist") && Catch::Contains(dir + "/no/such"));
  CHECK(one_line(msg));
  CHECK(entries(dir) == 0);
}

TEST_CASE("onnx export errors - a read-only directory is one line and leaves no temporary", "[deploy]") {
  const std::string dir = temp_dir("onnx-readonly");
  const std::string locked = dir + "/locked";
  fs::create_directory(locked);
  auto model = layers::make_model({.arch = "resnet8", .num_classes = 10, .in_channels = 1});
  const std::string bytes = deploy::onnx_model_bytes(*model, {1, 1, 28, 28}, {});
  if (::geteuid() != 0) {
    ::chmod(locked.c_str(), 0555);
    const std::string msg = error_of([&] { deploy::export_onnx(*model, {1, 1, 28, 28}, {}, locked + "/m.onnx"); });
    CHECK_THAT(msg, Catch::Contains("cannot write") && Catch::Contains("writable"));
    CHECK(one_line(msg));
  } else {
    // root writes anywhere: the child drops to nobody (65534) and writes into root's 0755
    // directory, the same write path export_onnx takes (no OpenMP in the child after fork).
    ::chmod(locked.c_str(), 0755);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
      try {
        deploy::write_file_atomically(locked + "/m.onnx", bytes, "onnx export");
      } catch (const Error& e) {
        const std::string msg = e.what();
        ::_exit(msg.find("cannot write") != std::string::npos && one_line(msg) ? 0 : 11);
      }
      ::_exit(12);  // written: the test fails
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  ::chmod(locked.c_str(), 0755);
  CHECK(entries(locked) == 0);
}

TEST_CASE("onnx export errors - an op without an ONNX rule is named and nothing is written", "[deploy]") {
  const std::string dir = temp_dir("onnx-unknown-op");
  Mystery model;
  const std::string msg = error_of([&] { deploy::export_onnx(model, {1, 3, 4, 4}, {}, dir + "/m.onnx"); });
  CHECK_THAT(msg, Catch::Contains("no ONNX rule for op 'mystery_op'"));
  CHECK(one_line(msg));
  CHECK(entries(dir) == 0);
}

TEST_CASE("onnx export errors - wrong example input, opset out of range, existing file kept", "[deploy]") {
  const std::string dir = temp_dir("onnx-bad-args");
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  const std::string path = dir + "/m.onnx";
  {
    std::ofstream old(path);
    old << "old";
  }
  std::string msg = error_of([&] { deploy::export_onnx(*model, {1, 3, 28, 28}, {}, path); });
  CHECK_THAT(msg, Catch::Contains("does not accept the example input [1, 3, 28, 28]"));
  msg = error_of([&] { deploy::export_onnx(*model, {1, 1, 28, 28}, {.opset = 12}, path); });
  CHECK_THAT(msg, Catch::Contains("opset 12") && Catch::Contains("13 to 17"));
  CHECK(one_line(msg));
  CHECK(slurp(path) == "old");
  CHECK(entries(dir) == 1);
  CHECK(model->is_training());  // the export restores the mode it found
  deploy::export_onnx(*model, {1, 1, 28, 28}, {}, path);  // and a good export replaces the file
  CHECK(slurp(path).size() > 1000);
  CHECK(entries(dir) == 1);
}

TEST_CASE("onnx export errors - unknown model, weights that do not fit", "[deploy]") {
  const std::string dir = temp_dir("onnx-weights");
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  layers::save_weights(*model, dir + "/w.safetensors");
  const std::string out = dir + "/m.onnx";
  std::string msg = error_of(
      [&] { deploy::export_weights_to_onnx({.arch = "seresnet9"}, dir + "/w.safetensors", {1, 1, 28, 28}, {}, out); });
  CHECK_THAT(msg, Catch::Contains("seresnet9"));
  CHECK(one_line(msg));
  msg = error_of(
      [&] { deploy::export_weights_to_onnx({.arch = "seresnet14"}, dir + "/w.safetensors", {1, 1, 28, 28}, {}, out); });
  CHECK_THAT(msg, Catch::Contains("does not fit seresnet14") && Catch::Contains("missing layer1.1"));
  CHECK(one_line(msg));
  msg = error_of([&] {
    deploy::export_weights_to_onnx({.arch = "seresnet8", .se = {.reduction = 4}}, dir + "/w.safetensors",
                                   {1, 1, 28, 28}, {}, out);
  });
  CHECK_THAT(msg, Catch::Contains("mis-shaped layer3.0.se.fc.0.weight (model [16, 64], file [8, 64])"));
  CHECK(one_line(msg));
  CHECK(!fs::exists(out));
  CHECK(entries(dir) == 1);
  deploy::export_weights_to_onnx({.arch = "seresnet8"}, dir + "/w.safetensors", {1, 1, 28, 28}, {}, out);
  CHECK(fs::exists(out));
}
