// data/in_memory.cpp — InMemoryDataset: validation on construction, copy-out on get().
#include "data/in_memory.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"

namespace excite::data {

InMemoryDataset::InMemoryDataset(InMemoryOptions options, std::vector<uint8_t> pixels, std::vector<int64_t> labels) {
  init(std::move(options), std::move(pixels), std::move(labels));
}

void InMemoryDataset::init(InMemoryOptions options, std::vector<uint8_t> pixels, std::vector<int64_t> labels) {
  const std::string& name = options.name;
  EXCITE_CHECK(options.height > 0 && options.width > 0 && (options.channels == 1 || options.channels == 3),
               name << ": invalid image size " << options.height << "x" << options.width << "x" << options.channels
                    << " (expected H x W x C with C = 1 or 3)");
  EXCITE_CHECK(!options.classes.empty(), name << ": no class names given");
  EXCITE_CHECK(!labels.empty(), name << ": empty dataset (no images) from " << options.origin);
  image_bytes_ = options.height * options.width * options.channels;
  EXCITE_CHECK(static_cast<int64_t>(pixels.size()) == image_bytes_ * static_cast<int64_t>(labels.size()),
               name << ": " << pixels.size() << " pixel bytes for " << labels.size() << " labels; expected "
                    << image_bytes_ << " bytes per image");
  const int64_t k = static_cast<int64_t>(options.classes.size());
  for (size_t i = 0; i < labels.size(); ++i)
    EXCITE_CHECK(labels[i] >= 0 && labels[i] < k, name << ": label " << labels[i] << " of image " << i
                                                       << " out of range [0, " << k << ") in " << options.origin);
  options_ = std::move(options);
  pixels_ = std::move(pixels);
  labels_ = std::move(labels);
}

const uint8_t* InMemoryDataset::pixels(int64_t index) const {
  check_index(index, options_.name.c_str());
  return pixels_.data() + index * image_bytes_;
}

Example InMemoryDataset::get(int64_t index) const {
  const uint8_t* p = pixels(index);
  Example example{Image(), labels_[static_cast<size_t>(index)]};
  example.image.height = options_.height;
  example.image.width = options_.width;
  example.image.channels = options_.channels;
  example.image.pixels.assign(p, p + image_bytes_);
  return example;
}

int64_t InMemoryDataset::label(int64_t index) const {
  check_index(index, options_.name.c_str());
  return labels_[static_cast<size_t>(index)];
}

std::string InMemoryDataset::description() const {
  std::ostringstream os;
  os << options_.name << ": " << size() << " images " << options_.height << "x" << options_.width << "x"
     << options_.channels << ", " << options_.classes.size() << " classes";
  if (!options_.origin.empty()) os << ", from " << options_.origin;
  return os.str();
}

}  // namespace excite::data
