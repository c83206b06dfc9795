// data/locate.cpp — the search order of locate.h and the specs of the known datasets.
#include "data/locate.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/error.h"

namespace excite::data {

namespace fs = std::filesystem;

bool holds_dataset(const DataSpec& spec, const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return false;
  for (const auto& group : spec.files) {
    bool found = false;
    for (const auto& file : group) found = found || fs::exists(fs::path(dir) / file, ec);
    if (!found) return false;
  }
  return true;
}

// dir itself, then dir/<subdir> for each usual sub-folder name.
static std::vector<std::string> candidates(const DataSpec& spec, const std::string& dir) {
  std::vector<std::string> out{dir};
  for (const auto& sub : spec.subdirs) out.push_back((fs::path(dir) / sub).string());
  return out;
}

static std::string expected_files(const DataSpec& spec) {
  std::ostringstream os;
  for (size_t g = 0; g < spec.files.size(); ++g) {
    os << (g ? ", " : "");
    for (size_t i = 0; i < spec.files[g].size(); ++i) os << (i ? " or " : "") << spec.files[g][i];
  }
  return os.str();
}

// The file groups of spec with no member in dir, as "a, b or b.gz".
static std::string missing_files(const DataSpec& spec, const std::string& dir) {
  std::error_code ec;
  std::string out;
  for (const auto& group : spec.files) {
    bool found = false;
    for (const auto& file : group) found = found || fs::exists(fs::path(dir) / file, ec);
    if (found) continue;
    out += out.empty() ? "" : ", ";
    for (size_t i = 0; i < group.size(); ++i) out += (i ? " or " : "") + group[i];
  }
  return out;
}

static std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string locate(const DataSpec& spec, const std::string& flag) {
  if (!flag.empty()) {
    for (const auto& dir : candidates(spec, flag))
      if (holds_dataset(spec, dir)) return dir;
    std::error_code ec;
    EXCITE_CHECK(fs::exists(flag, ec), spec.name << ": the given data path '" << flag << "' does not exist. "
                                                 << spec.how_to_get);
    EXCITE_FAIL(spec.name << ": the given data path '" << flag << "' does not hold the dataset (missing there: "
                          << missing_files(spec, flag) << "; expected "
                          << expected_files(spec) << " in it or in one of its sub-folders "
                          << join(spec.subdirs) << "). " << spec.how_to_get);
  }
  std::vector<std::string> tried;
  if (const char* env = std::getenv("EXCITE_DATA"); env != nullptr && *env != '\0') {
    for (const auto& dir : candidates(spec, env)) {
      if (holds_dataset(spec, dir)) return dir;
      tried.push_back(dir + "  (from EXCITE_DATA)");
    }
  }
  for (const auto& place : spec.standard_places) {
    if (holds_dataset(spec, place)) return place;
    tried.push_back(place);
  }
  std::ostringstream os;
  os << spec.name << ": dataset not found. Looked for " << expected_files(spec) << " in:\n";
  for (const auto& dir : tried) os << "  " << dir << "\n";
  os << spec.how_to_get << " Then pass the folder as the data flag (--data DIR) or set EXCITE_DATA to it.";
  EXCITE_FAIL(os.str());
}

const DataSpec& cifar10_spec() {
  static const DataSpec spec{
      .name = "CIFAR-10",
      .files = {{"data_batch_1.bin"}, {"data_batch_2.bin"}, {"data_batch_3.bin"}, {"data_batch_4.bin"},
                {"data_batch_5.bin"}, {"test_batch.bin"}},
      .subdirs = {"cifar-10-batches-bin", "cifar10/cifar-10-batches-bin", "datasets/cifar10/cifar-10-batches-bin"},
      .standard_places = {"../shared/datasets/cifar10/cifar-10-batches-bin", "shared/datasets/cifar10/cifar-10-batches-bin",
                          "data/cifar-10-batches-bin", "/usr/share/datasets/cifar10/cifar-10-batches-bin"},
      .how_to_get = "Get it from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (the binary version) and "
                    "extract it (tar xzf), or use the copy in the project's shared/datasets/cifar10."};
  return spec;
}

const DataSpec& cifar100_spec() {
  static const DataSpec spec{
      .name = "CIFAR-100",
      .files = {{"train.bin"}, {"test.bin"}},
      .subdirs = {"cifar-100-binary", "cifar100/cifar-100-binary", "datasets/cifar100/cifar-100-binary"},
      .standard_places = {"../shared/datasets/cifar100/cifar-100-binary", "shared/datasets/cifar100/cifar-100-binary",
                          "data/cifar-100-binary", "/usr/share/datasets/cifar100/cifar-100-binary"},
      .how_to_get = "Get it from https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz (the binary version) and "
                    "extract it (tar xzf)."};
  return spec;
}

static std::vector<std::vector<std::string>> idx_files() {
  std::vector<std::vector<std::string>> groups;
  for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"})
    groups.push_back({std::string(f) + ".gz", f});
  return groups;
}

const DataSpec& mnist_spec() {
  static const DataSpec spec{
      .name = "MNIST",
      .files = idx_files(),
      .subdirs = {"mnist", "MNIST/raw", "datasets/mnist"},
      .standard_places = {"/usr/share/datasets/mnist", "../shared/datasets/mnist", "shared/datasets/mnist",
                          "data/mnist"},
      .how_to_get = "Get the four IDX files (.gz is fine) from https://yann.lecun.com/exdb/mnist/ or a mirror."};
  return spec;
}

const DataSpec& fashion_mnist_spec() {
  static const DataSpec spec{
      .name = "Fashion-MNIST",
      .files = idx_files(),
      .subdirs = {"fashion-mnist", "FashionMNIST/raw", "datasets/fashion-mnist"},
      .standard_places = {"/usr/share/datasets/fashion-mnist", "../shared/datasets/fashion-mnist",
                          "shared/datasets/fashion-mnist", "data/fashion-mnist"},
      .how_to_get = "On Debian: sudo apt-get install dataset-fashion-mnist (installs to "
                    "/usr/share/datasets/fashion-mnist), or get the four IDX files from "
                    "https://github.com/zalandoresearch/fashion-mnist."};
  return spec;
}

const DataSpec& imagenet_spec() {
  static const DataSpec spec{
      .name = "ImageNet",
      .files = {{"train"}, {"val"}},
      .subdirs = {"imagenet", "ILSVRC2012", "datasets/imagenet"},
      .standard_places = {"../shared/datasets/imagenet", "shared/datasets/imagenet", "data/imagenet",
                          "/usr/share/datasets/imagenet"},
      .how_to_get = "ImageNet (ILSVRC2012) needs registration at https://image-net.org; lay it out as "
                    "<root>/train/<class>/*.JPEG and <root>/val/<class>/*.JPEG."};
  return spec;
}

}  // namespace excite::data
