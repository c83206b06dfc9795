// `excite analyze` (apps/cli/command_analyze.cpp, apps/train/excitation.h) on a tiny trained model:
// one epoch of CBAM-ResNet-8 on 512 Fashion-MNIST images, then the analysis of its run directory
// over 300 test images. The files exist, every gate is in the sigmoid's range, and the per-class
// means average, weighted by the class counts, to the all-class mean. Runs the built binary.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixtures.h"

namespace fs = std::filesystem;

TEST_CASE("excite analyze: per-class gate statistics of a tiny trained CBAM-ResNet-8") {
  const std::string dir = excite::testing::temp_dir("analyze");
  const std::string exe = std::string("OMP_NUM_THREADS=2 '") + EXCITE_BINARY + "'";
  const std::string train = exe + " train --arch resnet8 --attention cbam --epochs 1 --limit-train 512 --limit-test 300 --out '" +
                            dir + "/run' > '" + dir + "/train.log' 2>&1";
  if (std::system(train.c_str()) != 0) {
    WARN("training failed (is Fashion-MNIST present?): " << excite::testing::slurp(dir + "/train.log"));
    return;
  }
  const std::string analyze = exe + " analyze '" + dir + "/run' --classes 0,3 --out '" + dir + "/an' > '" + dir + "/an.log' 2>&1";
  REQUIRE(std::system(analyze.c_str()) == 0);
  for (const char* f : {"excitation.json", "layer1_0_se.csv", "layer3_0_se.csv"}) CHECK(fs::exists(dir + "/an/" + f));
  const auto j = nlohmann::json::parse(excite::testing::slurp(dir + "/an/excitation.json"));
  REQUIRE(j["blocks"].size() == 3);
  CHECK(j["classes"].size() == 10);
  for (const auto& b : j["blocks"]) {
    INFO(b["block"]);
    const auto images = b["images"].get<std::vector<int64_t>>();
    int64_t total = 0;
    for (int64_t n : images) total += n;
    CHECK(total == 300);
    const auto mean = b["mean"].get<std::vector<std::vector<double>>>();
    const auto all = b["all_mean"].get<std::vector<double>>();
    for (size_t c = 0; c < all.size(); ++c) {
      double weighted = 0;
      for (size_t k = 0; k < images.size(); ++k) {
        CHECK(mean[k][c] >= 0.0);
        CHECK(mean[k][c] <= 1.0);
        weighted += mean[k][c] * static_cast<double>(images[k]);
      }
      CHECK(weighted / static_cast<double>(total) == Approx(all[c]).epsilon(1e-6));
    }
    CHECK(b.contains("spatial"));  // CBAM has a spatial gate
  }
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    CHECK(fs::exists(dir + "/an/excitation.png"));
    CHECK(fs::exists(dir + "/an/excitation_two_classes.png"));
    CHECK(fs::exists(dir + "/an/layer3_0_se_spatial.png"));
  }
}
