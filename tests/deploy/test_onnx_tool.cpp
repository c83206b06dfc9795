// tests/deploy/test_onnx_tool.cpp — `excite export` end to end: its ONNX file, from weights and
// model flags or from a run directory, run by both runtimes, gives the logits `excite predict
// --input --output` writes for the same weights; its errors are one line on stderr with exit
// status 2 and leave nothing behind.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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
TEST_CASE("excite export - the exported file gives the logits of excite predict in both runtimes", "[deploy]") {
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
    r = run(std::string(EXCITE_BINARY) + " export" + flags + " --dataset fashion-mnist --batch-norm " + bn +
                " --onnx '" + dir + "/m_" + bn + ".onnx'",
            dir);
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  // A run directory as excite train leaves it: the config (a subset of keys), the weights.
  fs::create_directory(dir + "/run");
  std::ofstream(dir + "/run/config.json") << R"({"dataset": "fashion-mnist", "model": {"arch": "seresnet8"}})";
  // Class names as an image folder may have them, one with a comma: the metadata keeps them apart.
  std::ofstream(dir + "/run/classes.json") << R"(["crane, bird", "b", "c", "d", "e", "f", "g", "h", "i", "j"])";
  fs::copy_file(dir + "/w.safetensors", dir + "/run/best.safetensors");
  r = run(std::string(EXCITE_BINARY) + " export '" + dir + "/run' --opset 17 --onnx '" + dir + "/m_run.onnx'", dir);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(slurp(dir + "/m_run.onnx").find(R"(["crane, bird","b","c","d","e","f","g","h","i","j"])") != std::string::npos);
  CHECK(slurp(dir + "/m_fold.onnx").find(R"(["T-shirt/top","Trouser","Pullover",)") != std::string::npos);
  const Tensor predicted = load_npy(dir + "/predict.npy");
  std::vector<RuntimeCheck> checks{{dir + "/m_fold.onnx", {x}, {predicted}},
                                   {dir + "/m_keep.onnx", {x}, {predicted}},
                                   {dir + "/m_run.onnx", {x}, {predicted}}};
  const RuntimeErrors e = run_runtimes(checks, dir);
  std::printf("excite export vs excite predict: worst relative error ONNX Runtime %.3g, OpenCV %.3g\n", e.ort, e.opencv);
  CHECK(e.ort < 1e-4f);
  CHECK(e.opencv < 1e-4f);
  fs::remove_all(dir);
}

TEST_CASE("excite export - bad input is one line on stderr, exit 2, nothing written", "[deploy]") {
  const std::string dir = temp_dir("onnx-tool-errors");
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  layers::save_weights(*model, dir + "/w.safetensors");
  fs::create_directory(dir + "/read-only");
  fs::permissions(dir + "/read-only", fs::perms::owner_read | fs::perms::owner_exec);
  const std::string tool = std::string(EXCITE_BINARY) + " export --dataset fashion-mnist --weights '" + dir +
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
           {"--arch seresnet8 --attention none --onnx '" + dir + "/m.onnx'", "does not fit"},
           {"--arch seresnet8 --reduction 4 --onnx '" + dir + "/m.onnx'", "mis-shaped"},
           {"--arch seresnet8 --onnx '" + dir + "/m.onnx' '" + dir + "/no-run'", "no-run"},
       }) {
    const Run r = run(tool + b.args, dir);
    INFO(b.args << " -> " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("excite: error: ") && Catch::Contains(b.says));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  // A read-only directory (root may write anyway: then only check that nothing is half-written).
  const Run r = run(tool + "--arch seresnet8 --onnx '" + dir + "/read-only/m.onnx'", dir);
  if (r.code != 0) {
    CHECK(r.code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(fs::is_empty(dir + "/read-only"));
  }
  fs::permissions(dir + "/read-only", fs::perms::owner_all);
  fs::remove_all(dir + "/read-only");
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  CHECK(n == 1);  // the weights only
}
#endif
