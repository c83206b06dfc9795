// data/cifar.cpp — parsing the CIFAR binary files into InMemoryDataset.
#include "data/cifar.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/file_io.h"
#include "data/locate.h"

namespace excite::data {

namespace fs = std::filesystem;

constexpr int64_t kSide = 32;
constexpr int64_t kPlane = kSide * kSide;
constexpr int64_t kPixelBytes = 3 * kPlane;

void read_cifar_file(const std::string& path, const CifarRecordFormat& format, std::vector<uint8_t>& pixels,
                     std::vector<int64_t>& labels) {
  const int64_t record = format.label_bytes + kPixelBytes;
  const int64_t size = file_size(path, "cifar");
  EXCITE_CHECK(size > 0, "cifar: '" << path << "' is empty (expected records of " << record << " bytes)");
  EXCITE_CHECK(size % record == 0, "cifar: '" << path << "' is truncated or not a CIFAR file: " << size
                                              << " bytes is " << size / record << " whole records of " << record
                                              << " bytes plus " << size % record
                                              << " bytes; re-download or re-extract the dataset");
  const std::vector<uint8_t> bytes = read_file(path, "cifar");
  const int64_t n = size / record;
  const size_t base = pixels.size();
  pixels.resize(base + static_cast<size_t>(n * kPixelBytes));
  labels.reserve(labels.size() + static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    const uint8_t* rec = bytes.data() + k * record;
    const int64_t label = rec[format.label_offset];
    EXCITE_CHECK(label < format.num_classes, "cifar: label " << label << " of record " << k << " (byte offset "
                                                             << k * record + format.label_offset << ") in '" << path
                                                             << "' is out of range [0, " << format.num_classes
                                                             << "); the file is corrupt or of another dataset");
    labels.push_back(label);
    // CHW planes -> HWC.
    const uint8_t* chw = rec + format.label_bytes;
    uint8_t* hwc = pixels.data() + base + k * kPixelBytes;
    for (int64_t p = 0; p < kPlane; ++p)
      for (int64_t c = 0; c < 3; ++c) hwc[p * 3 + c] = chw[c * kPlane + p];
  }
}

// One name per non-empty line; empty when the file does not exist. Checks the count.
static std::vector<std::string> read_names(const std::string& path, int64_t expected) {
  std::ifstream in(path);
  if (!in) return {};
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  EXCITE_CHECK(static_cast<int64_t>(names.size()) == expected, "cifar: '" << path << "' lists " << names.size()
                                                                          << " class names, expected " << expected);
  return names;
}

static std::vector<std::string> numbered_names(int64_t n) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < n; ++i) names.push_back("class_" + std::to_string(i));
  return names;
}

Cifar10::Cifar10(const std::string& root, Split split) : folder_(locate_cifar10(root)) {
  std::vector<std::string> files;
  if (split == Split::Train) {
    for (int b = 1; b <= 5; ++b) files.push_back("data_batch_" + std::to_string(b) + ".bin");
  } else {
    files.push_back("test_batch.bin");
  }
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  pixels.reserve(files.size() * 10000 * kPixelBytes);
  for (const auto& f : files)
    read_cifar_file((fs::path(folder_) / f).string(), {.label_bytes = 1, .label_offset = 0, .num_classes = 10}, pixels,
                    labels);
  std::vector<std::string> classes = read_names((fs::path(folder_) / "batches.meta.txt").string(), 10);
  if (classes.empty())
    classes = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  init({.name = std::string("CIFAR-10 ") + split_name(split),
        .height = kSide,
        .width = kSide,
        .channels = 3,
        .classes = std::move(classes),
        .origin = folder_},
       std::move(pixels), std::move(labels));
}

Cifar100::Cifar100(const std::string& root, Split split, Cifar100Options options) : folder_(locate_cifar100(root)) {
  const bool fine = options.labels == Cifar100Labels::Fine;
  const int64_t k = fine ? 100 : 20;
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  const std::string file = split == Split::Train ? "train.bin" : "test.bin";
  read_cifar_file((fs::path(folder_) / file).string(), {.label_bytes = 2, .label_offset = fine ? 1 : 0, .num_classes = k},
                  pixels, labels);
  std::vector<std::string> classes =
      read_names((fs::path(folder_) / (fine ? "fine_label_names.txt" : "coarse_label_names.txt")).string(), k);
  if (classes.empty()) classes = numbered_names(k);
  init({.name = std::string("CIFAR-100 ") + split_name(split) + (fine ? " (fine)" : " (coarse)"),
        .height = kSide,
        .width = kSide,
        .channels = 3,
        .classes = std::move(classes),
        .origin = folder_},
       std::move(pixels), std::move(labels));
}

}  // namespace excite::data
