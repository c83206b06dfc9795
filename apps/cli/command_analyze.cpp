// apps/cli/command_analyze.cpp — `excite analyze`: the SE paper's excitation analysis of a trained
// model (apps/train/excitation.h) over the test split.
//   excite analyze --weights W [--dataset D --arch/--attention ...] [--classes 0,3] [--blocks P,...] --out DIR
//   excite analyze RUN_DIR --out DIR     (the run's config.json and best.safetensors)
#include <cstdio>
#include <filesystem>

#include "apps/cli/commands.h"
#include "apps/cli/flags.h"
#include "apps/train/excitation.h"
#include "apps/train/model_factory.h"
#include "apps/train/train_data.h"
#include "layers/state_dict.h"

namespace excite::apps {

Command add_analyze_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  auto run_dir = std::make_shared<std::string>();
  auto weights = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto classes = std::make_shared<std::vector<int64_t>>();
  auto blocks = std::make_shared<std::vector<std::string>>();
  app.add_option("run", *run_dir, "a finished run directory (its config.json and best.safetensors)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--weights", *weights, "safetensors weights (with the model and data flags of their run)")
      ->check(CLI::ExistingFile);
  app.add_option("--out", *out, "directory for the CSV, JSON and PNG files")->required();
  app.add_option("--classes", *classes, "class indices to plot (default: all; the first two: the mean +- std figure)")
      ->delimiter(',');
  app.add_option("--blocks", *blocks, "attention modules by path, e.g. layer3.0.se (default: the last block of each stage)")
      ->delimiter(',');
  add_data_flags(app, *overrides);
  add_model_flags(app, *overrides);
  return [&app, overrides, run_dir, weights, out, classes, blocks] {
    EXCITE_CHECK(run_dir->empty() != weights->empty(), "analyze: give a run directory or --weights (one of them)");
    TrainConfig config;
    std::string w = *weights;
    if (!run_dir->empty()) {
      const std::string cfg = *run_dir + "/config.json";
      EXCITE_CHECK(std::filesystem::exists(cfg), "analyze: " << cfg << " not found; is " << *run_dir << " a run directory?");
      config = load_config_file(cfg);
      w = *run_dir + "/best.safetensors";
      EXCITE_CHECK(std::filesystem::exists(w), "analyze: " << w << " not found; has the run finished an epoch?");
    }
    overrides->apply(config);
    config = validated(config);
    EXCITE_CHECK(config.model.attention.kind != "none",
                 "analyze: the model has no attention (--attention none); there are no gates to analyse");
    TrainData data = load_test_data(config);
    const auto K = static_cast<int64_t>(data.classes.size());
    for (int64_t k : *classes)
      EXCITE_CHECK(k >= 0 && k < K, "--classes: class " << k << " is not in 0.." << K - 1);
    layers::ModulePtr model = build_model(config.model, data.channels, K);
    layers::load_weights(*model, w);
    const std::vector<std::string> chosen = blocks->empty() ? default_excitation_blocks(*model) : *blocks;
    data::Loader loader(*data.test, {.batch_size = 256, .workers = config.workers}, data.test_transforms);
    const std::vector<BlockExcitation> result = analyze_excitation(*model, loader, K, chosen);
    const std::string note = write_excitation(result, data.classes, *classes, *out);
    int64_t images = 0;
    for (int64_t n : result.front().images) images += n;
    std::printf("excitation of %zu blocks over %lld test images written to %s\n", result.size(),
                static_cast<long long>(images), out->c_str());
    if (!note.empty()) std::printf("note: %s\n", note.c_str());
    return 0;
  };
}

}  // namespace excite::apps
