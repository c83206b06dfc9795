// The trainer end to end on real data (Fashion-MNIST from Debian's package, the JPEG folder in
// ../shared): loss falls, a batch can be overfit, resume equals uninterrupted, the same seed gives
// the same metrics, bad configs fail before any work.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "apps/train/checkpoint.h"
#include "apps/train/config.h"
#include "apps/train/metrics_log.h"
#include "apps/optim/optim_sgd.h"
#include "apps/train/train_data.h"
#include "apps/train/trainer.h"
#include "fixtures.h"
#include "isa_loop.h"
#include "layers/zoo.h"

using namespace excite;
using namespace excite::apps;
namespace fs = std::filesystem;
using testing::have_fashion_mnist;

namespace {

// A run small enough for the suite: 512 training images, a one-block-per-stage SE-ResNet.
TrainConfig tiny_config(const std::string& out) {
  TrainConfig c;
  c.model.arch = "seresnet8";
  c.limit_train = 512;
  c.limit_test = 256;
  c.batch_size = 64;
  c.epochs = 3;
  c.lr = 0.05;
  c.warmup_epochs = 0;
  c.threads = 2;
  c.workers = 2;
  c.out = out;
  return c;
}

RunOptions quiet() {
  static std::FILE* null = std::fopen("/dev/null", "w");
  return {.log = null};
}

void check_same_metrics(const std::vector<EpochMetrics>& a, const std::vector<EpochMetrics>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("epoch " << a[i].epoch);
    CHECK(a[i].epoch == b[i].epoch);
    CHECK(a[i].lr == b[i].lr);
    CHECK(a[i].train_loss == b[i].train_loss);
    CHECK(a[i].train_accuracy == b[i].train_accuracy);
    CHECK(a[i].test_loss == b[i].test_loss);
    CHECK(a[i].test_accuracy == b[i].test_accuracy);
  }
}

}  // namespace

TEST_CASE("a short training run's loss falls and leaves a complete run directory") {
  if (!have_fashion_mnist()) return;
  const std::string dir = testing::temp_dir("train") + "/run";
  RunSummary s = train(tiny_config(dir), quiet());
  const auto rows = MetricsLog(dir).read();
  REQUIRE(rows.size() == 3);
  CHECK(rows[2].train_loss < rows[0].train_loss);
  CHECK(s.final_test_accuracy > 0.3);
  for (const char* f : {"config.json", "metrics.csv", "metrics.jsonl", "checkpoint.safetensors", "best.safetensors",
                        "last.safetensors", "summary.json"})
    CHECK(fs::exists(dir + "/" + f));
  nlohmann::json summary = nlohmann::json::parse(std::ifstream(dir + "/summary.json"));
  for (const char* key : {"final_test_accuracy", "best_test_accuracy", "epochs", "wall_seconds",
                          "train_images_per_second", "params", "macs"})
    CHECK(summary.contains(key));
  CHECK(summary["final_test_accuracy"].get<double>() <= 1.0);
  // A second start into the same directory is refused rather than mixed.
  CHECK_THROWS_WITH(train(tiny_config(dir), quiet()), Catch::Contains("already holds a run"));
}

TEST_CASE("resume after an interruption gives the metrics of an uninterrupted run - same seed, same metrics") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("resume");
  train(tiny_config(root + "/straight"), quiet());
  RunOptions interrupted = quiet();
  interrupted.stop_after_epochs = 1;
  train(tiny_config(root + "/broken"), interrupted);
  REQUIRE(MetricsLog(root + "/broken").read().size() == 1);
  RunOptions resume = quiet();
  resume.resume_dir = root + "/broken";
  train(TrainConfig{}, resume);
  check_same_metrics(MetricsLog(root + "/straight").read(), MetricsLog(root + "/broken").read());

  train(tiny_config(root + "/again"), quiet());
  check_same_metrics(MetricsLog(root + "/straight").read(), MetricsLog(root + "/again").read());
}

// Each kernel target sums in its own order, so metrics differ between targets; on one target, a
// seed and a compute thread count give the same metrics every time, whatever the loader's worker
// count (the batches are the same for 0, 1, 2 and 4 workers: tests/data/test_loader.cpp).
TEST_CASE("on every kernel target the host runs, the same seed and thread count give the same metrics, for 0 or 3 loader workers") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("isa-determinism");
  testing::for_each_isa([&](const std::string& isa) {
    for (int threads : {1, 2}) {
      TrainConfig a = tiny_config(root + "/" + isa + "-t" + std::to_string(threads) + "-w0");
      a.epochs = 1;
      a.limit_train = 256;
      a.limit_test = 128;
      a.threads = threads;
      a.workers = 0;
      TrainConfig b = a;
      b.out = root + "/" + isa + "-t" + std::to_string(threads) + "-w3";
      b.workers = 3;
      INFO(threads << " compute threads");
      train(a, quiet());
      train(b, quiet());
      check_same_metrics(MetricsLog(a.out).read(), MetricsLog(b.out).read());
    }
  });
}

TEST_CASE("a run started by an excite before attention kinds (config.json in the old spellings) resumes") {
  if (!have_fashion_mnist()) return;
  const std::string root = testing::temp_dir("resume-old");
  train(tiny_config(root + "/straight"), quiet());
  RunOptions interrupted = quiet();
  interrupted.stop_after_epochs = 1;
  const std::string dir = root + "/old";
  train(tiny_config(dir), interrupted);
  // Rewrite the run as the earlier excite left it: its config.json's words, and the checkpoint's
  // fingerprint of that file.
  nlohmann::json j = load_json_file(dir + "/config.json", "test");
  nlohmann::json& m = j["model"];
  m["se"] = m["attention"] == "se";
  for (auto [from, to] : {std::pair{"bias", "se_bias"}, {"position", "se_position"}, {"stages", "se_stages"}}) {
    m[to] = m[from];
    m.erase(from);
  }
  m.erase("attention");
  m.erase("zero_init_residual");
  j["save_every_epoch"] = true;
  std::ofstream(dir + "/config.json") << j.dump(2);
  Checkpoint ck = load_checkpoint(dir + "/checkpoint.safetensors");
  CHECK(ck.state.config_fingerprint != config_fingerprint(j));
  ck.state.config_fingerprint = config_fingerprint(j);
  save_checkpoint(dir + "/checkpoint.safetensors", ck);

  RunOptions resume = quiet();
  resume.resume_dir = dir;
  train(TrainConfig{}, resume);
  check_same_metrics(MetricsLog(root + "/straight").read(), MetricsLog(dir).read());
  // The resumed run now carries today's spelling and fingerprint: resuming again is refused only
  // because it is finished, not because of the config.
  CHECK(load_json_file(dir + "/config.json", "test")["model"]["attention"] == "se");
  CHECK(load_checkpoint(dir + "/checkpoint.safetensors").state.config_fingerprint ==
        config_fingerprint(load_config_file(dir + "/config.json")));
}

TEST_CASE("an image-folder dataset trains (ImageNet-layout SE-ResNet-18 on the JPEG sample)") {
  const std::string folder = testing::shared_dir() + "/datasets/cifar10-jpeg-mini";
  if (!fs::exists(folder)) {
    WARN("no " << folder << ": test skipped");
    return;
  }
  TrainConfig c = tiny_config(testing::temp_dir("folder") + "/run");
  c.dataset = Dataset::Folder;
  c.data_dir = folder;
  c.model.arch = "seresnet18";
  c.input_size = 32;
  c.limit_train = 128;
  c.limit_test = 64;
  c.epochs = 1;
  c.batch_size = 32;
  RunSummary s = train(c, quiet());
  CHECK(s.epochs == 1);
  CHECK(s.params > 11000000);
}

TEST_CASE("input_geometry, known without reading, is the input the loaded test split gives the network") {
  auto agrees = [](TrainConfig c) {
    c.limit_test = 2;
    const TrainData d = load_test_data(c);
    const std::array<int64_t, 3> g = input_geometry(c);
    INFO(name_of(c.dataset) << " " << c.data_dir);
    CHECK(g == std::array<int64_t, 3>{d.channels, d.height, d.width});
    Generator gen(1);
    const Tensor x = d.test_transforms(d.test->get(0).image, gen);
    CHECK(x.shape() == Shape{g[0], g[1], g[2]});
  };
  TrainConfig c;
  if (have_fashion_mnist()) agrees(c);
  const std::string shared = testing::shared_dir() + "/datasets/";
  if (fs::exists(shared + "cifar10")) {
    c.dataset = Dataset::Cifar10;
    c.data_dir = shared + "cifar10";
    agrees(c);
  }
  if (fs::exists(shared + "cifar10-jpeg-mini")) {
    c.dataset = Dataset::Folder;
    c.data_dir = shared + "cifar10-jpeg-mini";
    agrees(c);  // 224, the default crop
    c.input_size = 40;
    agrees(c);
  }
}

TEST_CASE("a model overfits one batch") {
  manual_seed(3);
  auto model = layers::make_model({.arch = "seresnet8", .num_classes = 10, .in_channels = 1});
  optim::SGD opt(model->parameters(), {.lr = 0.05f, .momentum = 0.9f});
  Tensor x = Tensor::normal({16, 1, 12, 12}, 0.f, 1.f);
  std::vector<int64_t> labels;
  for (int i = 0; i < 16; ++i) labels.push_back(i % 10);
  float first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    Variable loss = cross_entropy((*model)(Variable(x)), labels);
    if (step == 0) first = loss.item();
    last = loss.item();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  CHECK(last < 0.05f * first);
}

TEST_CASE("bad configs are refused before any work starts") {
  const std::string dir = testing::temp_dir("badcfg");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  };
  CHECK_THROWS_WITH(load_config_file(write("a.json", R"({"epochz": 3})")), Catch::Contains("unknown key 'epochz'"));
  CHECK_THROWS_WITH(load_config_file(write("b.json", R"({"epochs": "three"})")),
                    Catch::Contains("'epochs' must be an integer"));
  CHECK_THROWS_WITH(load_config_file(write("c.json", R"({"model": {"reduction": 1.5}})")),
                    Catch::Contains("'reduction' must be an integer"));
  CHECK_THROWS_WITH(load_config_file(write("d.json", "{not json")), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(load_config_file(dir + "/missing.json"), Catch::Contains("cannot open"));
  TrainConfig c = tiny_config(dir + "/run");
  c.lr = -0.1;
  CHECK_THROWS_WITH(train(c, quiet()), Catch::Contains("lr must be positive"));
  c = tiny_config(dir + "/run");
  c.dataset = Dataset::Cifar10;
  c.data_dir = dir + "/no-such-folder";
  CHECK_THROWS_WITH(train(c, quiet()), Catch::Contains("CIFAR-10"));
  c = tiny_config(dir + "/run");
  c.model.arch = "resnet7";
  CHECK_THROWS(train(c, quiet()));
  CHECK_FALSE(fs::exists(dir + "/run/checkpoint.safetensors"));
  c = tiny_config("/proc/excite-cannot-write-here");
  CHECK_THROWS_WITH(train(c, quiet()), Catch::Contains("cannot create run directory"));
}
