// tests/deploy/test_onnx_tool.cpp — the excite-onnx tool end to end: its ONNX file, run by both
// runtimes, gives the logits `excite predict --input --output` writes for the same weights; its
// errors are one line on stderr with exit status 2 and leave nothing behind.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "catch2/catch.hpp"
#include "core/npy.h"
#include "fixtures.h"
#include "layers/state_dict.h"
#include "layers/zoo.h"
#include "onnx_check.h"

using namespace excite;
using namespace excite::testing;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string err;
};

Run run(const std::string& args, const std::string& dir) {
  const std::string err = dir + "/stderr.txt";
  const int status = std::system((args + " > /dev/null 2> '" + err + "'").c_str());
  Run r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(err)};
  fs::remove(err);
  return r;
}

}  // namespace

#ifdef EXCITE_BINARY
TEST_CASE("excite-onnx - the exported file gives the logits of excite predict in both runtimes", "[deploy]") {
  const std::string dir = temp_dir("onnx-tool");
  manual_seed(5);
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  randomize_statistics(*model, 5);
  layers::save_weights(*model, dir + "/w.safetensors");
  Generator gen(9);
  const Tensor x = Tensor::normal({3, 1, 28, 28}, 0.f, 1.f, gen);
  save_npy(dir + "/x.npy", x);
  const std::string flags = " --arch seresnet8 --in-channels 1 --weights '" + dir + "/w.safetensors'";
  Run r = run(std::string(EXCITE_BINARY) + " predict" + flags + " --input '" + dir + "/x.npy' --output '" + dir +
                  "/predict.npy'",
              dir);
  INFO(r.err);
  REQUIRE(r.code == 0);
  for (const char* bn : {"fold", "keep"}) {
    r = run(std::string(EXCITE_ONNX_TOOL) + flags + " --image-size 28 --batch-norm " + bn + " --onnx '" + dir + "/m_" +
                bn + ".onnx'",
            dir);
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  const Tensor predicted = load_npy(dir + "/predict.npy");
  std::vector<RuntimeCheck> checks{{dir + "/m_fold.onnx", {x}, {predicted}}, {dir + "/m_keep.onnx", {x}, {predicted}}};
  const RuntimeErrors e = run_runtimes(checks, dir);
  std::printf("excite-onnx vs excite predict: worst relative error ONNX Runtime %.3g, OpenCV %.3g\n", e.ort, e.opencv);
  CHECK(e.ort < 1e-4f);
  CHECK(e.opencv < 1e-4f);
  fs::remove_all(dir);
}
#endif

TEST_CASE("excite-onnx - bad input is one line on stderr, exit 2, nothing written", "[deploy]") {
  const std::string dir = temp_dir("onnx-tool-errors");
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  layers::save_weights(*model, dir + "/w.safetensors");
  const std::string tool = std::string(EXCITE_ONNX_TOOL) + " --in-channels 1 --image-size 28 --weights '" + dir +
                           "/w.safetensors' ";
  struct Bad {
    std::string args, says;
  };
  for (const Bad& b : std::vector<Bad>{
           {"--arch seresnet9 --onnx '" + dir + "/m.onnx'", "seresnet9"},
           {"--arch seresnet14 --onnx '" + dir + "/m.onnx'", "missing layer1.1"},
           {"--arch seresnet8 --onnx '" + dir + "/missing/m.onnx'", "does not exist"},
           {"--arch seresnet8 --opset 18 --onnx '" + dir + "/m.onnx'", "opset 18"},
           {"--arch seresnet8 --batch-norm fuse --onnx '" + dir + "/m.onnx'", "fuse"},
       }) {
    const Run r = run(tool + b.args, dir);
    INFO(b.args << " -> " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("excite-onnx: ") && Catch::Contains(b.says));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  CHECK(n == 1);  // the weights only
}
