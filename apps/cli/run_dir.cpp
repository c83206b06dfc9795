// apps/cli/run_dir.cpp — see run_dir.h.
#include "apps/cli/run_dir.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "layers/state_dict.h"

namespace excite::apps {

namespace fs = std::filesystem;

TrainConfig read_run_config(const std::string& dir) {
  EXCITE_CHECK(fs::is_directory(dir), "run directory " << dir << " does not exist");
  const std::string path = dir + "/config.json";
  EXCITE_CHECK(fs::exists(path), dir << " has no config.json (not a run directory of excite train?)");
  return validated(load_config_file(path));
}

std::vector<std::string> run_class_names(const std::string& dir, Dataset dataset) {
  const std::string path = dir + "/classes.json";
  if (!dir.empty() && fs::exists(path)) {
    std::ifstream in(path);
    try {
      return nlohmann::json::parse(in).get<std::vector<std::string>>();
    } catch (const std::exception& e) {
      EXCITE_FAIL(path << " is not a JSON list of class names (" << e.what() << ")");
    }
  }
  switch (dataset) {
    case Dataset::FashionMnist:
      return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    case Dataset::Mnist:
      return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    case Dataset::Cifar10:
      return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    default:
      return {};
  }
}

std::string run_weights(const std::string& dir) {
  const std::string path = dir + "/best.safetensors";
  EXCITE_CHECK(fs::exists(path), dir << " has no best.safetensors (the run did not finish an epoch?); pass --weights");
  return path;
}

InputSpec input_spec(const TrainConfig& config) {
  InputSpec s;
  switch (config.dataset) {
    case Dataset::FashionMnist:
    case Dataset::Mnist:
      s = {.channels = 1, .height = 28, .width = 28,
           .stats = config.dataset == Dataset::Mnist ? data::mnist_stats() : data::fashion_mnist_stats()};
      break;
    case Dataset::Cifar10:
    case Dataset::Cifar100:
      s = {.channels = 3, .height = 32, .width = 32,
           .stats = config.dataset == Dataset::Cifar10 ? data::cifar10_stats() : data::cifar100_stats()};
      break;
    case Dataset::Folder: {
      const int64_t size = config.input_size > 0 ? config.input_size : 224;
      s = {.channels = 3, .height = size, .width = size, .stats = data::imagenet_stats()};
      break;
    }
  }
  if (config.model.in_channels > 0) s.channels = config.model.in_channels;
  return s;
}

void load_fitting_weights(layers::Module& model, const std::string& path, const std::string& what,
                          const std::string& hint) {
  const layers::LoadReport report = layers::load_weights(model, path, {.strict = false});
  if (report.complete()) return;
  EXCITE_FAIL(what << ": " << path << " does not fit the model: " << report.first_problem() << "; " << hint);
}

std::vector<std::string> class_names_or_numbers(std::vector<std::string> names, int64_t k) {
  if (static_cast<int64_t>(names.size()) != k) names.clear();
  for (int64_t i = static_cast<int64_t>(names.size()); i < k; ++i) names.push_back("class " + std::to_string(i));
  return names;
}

}  // namespace excite::apps
