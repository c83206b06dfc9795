// tests/apps/cli/test_run_commands.cpp — the commands that know a run directory: after a short
// `excite train`, `excite eval RUN_DIR` and `excite predict --run RUN_DIR` need no model flags,
// name the classes (Fashion-MNIST's "Bag", not "class 8"), give --topk and --json, and eval leaves
// a confusion matrix; a run whose config does not fit its weights is one line naming the first
// key that does not fit, exit 2. Skipped with a warning without Fashion-MNIST.
#include <catch2/catch.hpp>
#include <stb/stb_image_write.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "data/idx.h"
#include "fixtures.h"

using namespace excite;
namespace fs = std::filesystem;
using testing::slurp;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

Result excite_in(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && OMP_NUM_THREADS=2 '" EXCITE_BINARY "' " + args +
                          " > stdout.txt 2> stderr.txt < /dev/null";
  const int raw = std::system(cmd.c_str());
  Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw), slurp(dir + "/stdout.txt"),
           slurp(dir + "/stderr.txt")};
  return r;
}

// One short run shared by the cases (trained once per test process).
const std::string& trained_run() {
  static const std::string run = [] {
    const std::string dir = testing::temp_dir("cli-run");
    const Result r = excite_in(dir, "train --dataset fashion-mnist --arch seresnet8 --epochs 1 --limit-train 256 "
                                    "--limit-test 64 --batch-size 64 --workers 0 --out run");
    INFO(r.err << r.out);
    REQUIRE(r.status == 0);
    // A real test image as a PNG file: Fashion-MNIST test image 0 (an ankle boot).
    const data::FashionMnist test("", data::Split::Test);
    const data::Image im = test.get(0).image;
    REQUIRE(stbi_write_png((dir + "/boot.png").c_str(), static_cast<int>(im.width), static_cast<int>(im.height),
                           static_cast<int>(im.channels), im.pixels.data(), static_cast<int>(im.width * im.channels)) != 0);
    return dir;
  }();
  return run;
}

}  // namespace

TEST_CASE("excite train - the run directory names its classes") {
  if (!testing::have_fashion_mnist()) return;
  const std::string dir = trained_run();
  const auto classes = nlohmann::json::parse(slurp(dir + "/run/classes.json"));
  REQUIRE(classes.size() == 10);
  CHECK(classes[8] == "Bag");
}

TEST_CASE("excite eval RUN_DIR - no model flags, a confusion matrix with class names") {
  if (!testing::have_fashion_mnist()) return;
  const std::string dir = trained_run();
  const Result r = excite_in(dir, "eval run --json --workers 0");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["images"] == 64);  // the run's --limit-test
  const std::string csv = slurp(dir + "/run/confusion.csv");
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  CHECK(header.find(",Sneaker,Bag,") != std::string::npos);  // labels 7 and 8
  int64_t total = 0, rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    std::istringstream cells(line);
    std::string cell;
    std::getline(cells, cell, ',');  // the class name
    while (std::getline(cells, cell, ',')) total += std::stoll(cell);
  }
  CHECK(rows == 10);
  CHECK(total == 64);
  if (std::system("command -v gnuplot > /dev/null") == 0) CHECK(fs::file_size(dir + "/run/confusion.png") > 0);
}

TEST_CASE("excite predict --run - class names, --topk, --json") {
  if (!testing::have_fashion_mnist()) return;
  const std::string dir = trained_run();
  Result r = excite_in(dir, "predict --run run --topk 3 --json boot.png");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["file"] == "boot.png");
  REQUIRE(j[0]["top"].size() == 3);
  double p = 0;
  for (const auto& t : j[0]["top"]) {
    CHECK(t["class"].get<std::string>().rfind("class ", 0) != 0);  // a name, not a number
    p += t["probability"].get<double>();
  }
  CHECK(p <= 1.0 + 1e-6);
  r = excite_in(dir, "predict --run run boot.png");
  REQUIRE(r.status == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 6);  // the file and the top 5
}

TEST_CASE("excite eval and predict - a run whose config does not fit its weights is one line, exit 2") {
  if (!testing::have_fashion_mnist()) return;
  const std::string dir = trained_run();
  fs::remove_all(dir + "/other");
  fs::create_directory(dir + "/other");
  fs::copy_file(dir + "/run/best.safetensors", dir + "/other/best.safetensors");
  std::ofstream(dir + "/other/config.json")
      << R"({"dataset": "fashion-mnist", "limit_test": 16, "workers": 0, "model": {"arch": "seresnet14"}})";
  for (const std::string& args : {std::string("eval other"), std::string("predict --run other boot.png"),
                                  std::string("export other --onnx other/m.onnx")}) {
    const Result r = excite_in(dir, args);
    INFO(args << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("layer1.1") != std::string::npos);
  }
  CHECK(!fs::exists(dir + "/other/m.onnx"));
}
