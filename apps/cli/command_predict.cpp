// apps/cli/command_predict.cpp — `excite predict`: saved weights applied, in eval mode, either to an
// .npy array ([N, C, H, W] float32 in, logits [N, K] float32 out) or to image files (the top-K
// classes with their probabilities, as text or --json). `--run RUN_DIR` takes the model, the
// dataset (preprocessing, channels), the class names and the weights from a run directory
// (apps/cli/run_dir.h); flags given beside it override the run's config.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/cli/flags.h"
#include "apps/cli/commands.h"
#include "apps/cli/run_dir.h"
#include "apps/train/model_factory.h"
#include "core/npy.h"
#include "data/normalize.h"
#include "data/pipeline.h"
#include "data/transforms.h"
#include "layers/state_dict.h"

namespace excite::apps {

namespace {

// The test-time transforms and input channels for images, by the dataset the model was trained on.
data::Pipeline image_pipeline(const std::string& dataset, int input_size, int& channels) {
  if (dataset == "fashion-mnist" || dataset == "mnist") {
    channels = 1;
    return data::Pipeline()
        .then(data::Resize(28))
        .then(data::CenterCrop(28))
        .normalize(dataset == "mnist" ? data::mnist_stats() : data::fashion_mnist_stats());
  }
  channels = 3;
  if (dataset == "cifar10" || dataset == "cifar100")
    return data::Pipeline().then(data::Resize(32)).then(data::CenterCrop(32)).normalize(
        dataset == "cifar10" ? data::cifar10_stats() : data::cifar100_stats());
  const int size = input_size > 0 ? input_size : 224;
  return data::imagenet_test_transforms(size, size * 8 / 7);
}

std::vector<std::string> read_class_names(const std::string& path, int64_t k, std::vector<std::string> names) {
  if (!path.empty()) {
    names.clear();
    std::ifstream in(path);
    EXCITE_CHECK(in, "predict: cannot open class names file " << path);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) names.push_back(line);
    EXCITE_CHECK(static_cast<int64_t>(names.size()) == k,
                 "predict: " << path << " names " << names.size() << " classes, the model has " << k);
  }
  return class_names_or_numbers(std::move(names), k);
}

}  // namespace

Command add_predict_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  struct Args {
    std::string run, weights, input, output, classes, dataset = "cifar10";
    std::vector<std::string> images;
    int input_size = 0, topk = 5;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  app.add_option("--run", a->run, "run directory of excite train: its model, dataset, classes and weights");
  app.add_option("--weights", a->weights, "safetensors weights (default: RUN_DIR/best.safetensors)")
      ->check(CLI::ExistingFile);
  app.add_option("--topk", a->topk, "classes to print per image (5)")->check(CLI::PositiveNumber);
  app.add_flag("--json", a->json, "print one JSON array: per image its file and top classes");
  app.add_option("--input", a->input, ".npy float32 [N, C, H, W] input")->check(CLI::ExistingFile);
  app.add_option("--output", a->output, ".npy file for the logits [N, K]");
  app.add_option("images", a->images, "image files (JPEG/PNG/BMP): print the top-5 classes")->check(CLI::ExistingFile);
  app.add_option("--classes", a->classes, "class names, one per line");
  CLI::Option* dataset_flag = app.add_option("--dataset", a->dataset, "what the model was trained on: sets image preprocessing and channels")
      ->check(CLI::IsMember({"fashion-mnist", "mnist", "cifar10", "cifar100", "folder"}));
  CLI::Option* size_flag = app.add_option("--input-size", a->input_size, "folder models: input crop size (224)");
  add_model_flags(app, *overrides);
  return [overrides, a, dataset_flag, size_flag] {
    EXCITE_CHECK(a->input.empty() != a->images.empty(), "predict: give either --input X.npy or image files, not both");
    EXCITE_CHECK(a->input.empty() || !a->output.empty(), "predict: --input needs --output Y.npy for the logits");
    EXCITE_CHECK(!a->run.empty() || !a->weights.empty(), "predict: give --run RUN_DIR or --weights W.safetensors");
    TrainConfig config;
    config.model.arch = "seresnet20";
    if (!a->run.empty()) {
      config = read_run_config(a->run);
      if (dataset_flag->count() == 0) a->dataset = name_of(config.dataset);
      if (size_flag->count() == 0) a->input_size = config.input_size;
    }
    overrides->apply(config);
    config = validated(config);
    const std::string weights_path = !a->weights.empty() ? a->weights : run_weights(a->run);
    int channels = 3;
    const data::Pipeline pipeline = image_pipeline(a->dataset, a->input_size, channels);
    Tensor input;
    if (!a->input.empty()) {
      input = load_npy(a->input);
      EXCITE_CHECK(input.dim() == 4, "predict: " << a->input << " holds " << input.shape() << ", expected [N, C, H, W]");
      channels = static_cast<int>(input.size(1));
    }
    if (config.model.in_channels > 0) channels = config.model.in_channels;
    const SafetensorsFile weights = load_safetensors(weights_path);
    // The class count is read off the weights' classifier (fc.weight [K, features]) unless given.
    int64_t k = config.model.num_classes;
    if (k == 0) {
      const NamedTensor* fc = weights.find("fc.weight");
      EXCITE_CHECK(fc != nullptr, "predict: " << weights_path << " has no fc.weight; pass --num-classes");
      k = fc->value.size(0);
    }
    layers::ModulePtr model = build_model(config.model, channels, k);
    load_fitting_weights(*model, weights_path, "predict",
                         a->run.empty() ? "check --arch and the model flags against the run that saved them"
                                        : "the run's config.json does not describe these weights");
    model->eval();
    NoGradGuard no_grad;
    if (!a->input.empty()) {
      EXCITE_CHECK(input.size(1) == channels,
                   "predict: " << a->input << " has " << input.size(1) << " channels, the model takes " << channels);
      Tensor logits = (*model)(Variable(input)).data();
      save_npy(a->output, logits);
      std::printf("wrote logits %s to %s\n", logits.shape().str().c_str(), a->output.c_str());
      return 0;
    }
    const std::vector<std::string> names =
        read_class_names(a->classes, k, run_class_names(a->run, parse_name<Dataset>(a->dataset)));
    nlohmann::json out = nlohmann::json::array();
    for (const std::string& path : a->images) {
      Tensor x = data::load_image_tensor(path, pipeline, channels);
      Tensor logits = (*model)(Variable(x)).data();
      std::vector<std::pair<float, int64_t>> ranked;
      float top = logits[0];
      for (int64_t i = 0; i < k; ++i) top = std::max(top, logits[i]);
      double z = 0;
      for (int64_t i = 0; i < k; ++i) z += std::exp(logits[i] - top);
      for (int64_t i = 0; i < k; ++i) ranked.push_back({static_cast<float>(std::exp(logits[i] - top) / z), i});
      std::sort(ranked.begin(), ranked.end(), std::greater<>());
      const int64_t shown = std::min<int64_t>(a->topk, k);
      if (a->json) {
        nlohmann::json top = nlohmann::json::array();
        for (int64_t i = 0; i < shown; ++i)
          top.push_back({{"class", names[ranked[i].second]}, {"index", ranked[i].second}, {"probability", ranked[i].first}});
        out.push_back({{"file", path}, {"top", top}});
        continue;
      }
      std::printf("%s\n", path.c_str());
      for (int64_t i = 0; i < shown; ++i)
        std::printf("  %6.2f%%  %s\n", 100 * ranked[i].first, names[ranked[i].second].c_str());
    }
    if (a->json) std::printf("%s\n", out.dump(1).c_str());
    return 0;
  };
}

}  // namespace excite::apps
