// data/image_folder.cpp — scanning root/<class>/<image> and decoding on demand.
#include "data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/error.h"

namespace excite::data {

namespace fs = std::filesystem;

bool has_image_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

static bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

void ImageFolder::bad_file(const std::string& path, const std::string& why) {
  EXCITE_CHECK(options_.on_bad_file == BadFile::Skip,
               options_.name << ": '" << path << "' " << why
                             << ". Remove it, or skip such files with ImageFolderOptions{.on_bad_file = BadFile::Skip}");
  std::cerr << "warning: " << options_.name << ": skipping '" << path << "': " << why << "\n";
  skipped_.push_back(path);
}

ImageFolder::ImageFolder(const std::string& root, ImageFolderOptions options) : root_(root), options_(std::move(options)) {
  if (options_.name.empty()) options_.name = "ImageFolder " + root;
  EXCITE_CHECK(options_.channels == 1 || options_.channels == 3,
               options_.name << ": channels must be 1 or 3, got " << options_.channels);
  std::error_code ec;
  EXCITE_CHECK(fs::is_directory(root, ec), options_.name << ": folder '" << root
                                                         << "' not found (expected root/<class>/<image> files)");
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory() && !hidden(entry.path())) classes_.push_back(entry.path().filename().string());
  EXCITE_CHECK(!ec, options_.name << ": cannot list '" << root << "': " << ec.message());
  EXCITE_CHECK(!classes_.empty(), options_.name << ": empty dataset: no class folders in '" << root
                                                << "' (expected root/<class>/<image> files)");
  std::sort(classes_.begin(), classes_.end());

  bool same_size = true;
  for (size_t label = 0; label < classes_.size(); ++label) {
    const fs::path dir = fs::path(root) / classes_[label];
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (hidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_directory()) paths.push_back(it->path().string());
    }
    EXCITE_CHECK(!ec, options_.name << ": cannot list '" << dir.string() << "': " << ec.message());
    std::sort(paths.begin(), paths.end());
    const size_t before = files_.size();
    for (const auto& path : paths) {
      if (!has_image_extension(path)) {
        bad_file(path, "is not an image (expected a .jpg, .jpeg, .png or .bmp file)");
        continue;
      }
      if (options_.check_headers) {
        int64_t h = 0, w = 0, c = 0;
        std::string why;
        if (!probe_image(path, &h, &w, &c, &why)) {
          bad_file(path, "is not a readable JPEG, PNG or BMP image (" + why + ")");
          continue;
        }
        if (files_.empty()) {
          height_ = h;
          width_ = w;
        }
        same_size = same_size && h == height_ && w == width_;
      }
      files_.push_back({path, static_cast<int64_t>(label)});
    }
    EXCITE_CHECK(files_.size() > before, options_.name << ": class folder '" << dir.string()
                                                       << "' holds no images; remove the folder or add images to it");
  }
  if (!options_.check_headers || !same_size) height_ = width_ = 0;
}

const std::string& ImageFolder::path(int64_t index) const {
  check_index(index, options_.name.c_str());
  return files_[static_cast<size_t>(index)].path;
}

Example ImageFolder::load(const File& file) const { return {load_image(file.path, options_.channels), file.label}; }

Example ImageFolder::get(int64_t index) const {
  check_index(index, options_.name.c_str());
  if (options_.on_bad_file == BadFile::Error) {
    try {
      return load(files_[static_cast<size_t>(index)]);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) +
                  ". Remove or replace the file, or skip bad files with ImageFolderOptions{.on_bad_file = "
                  "BadFile::Skip}");
    }
  }
  for (int64_t k = 0; k < size(); ++k) {
    const File& file = files_[static_cast<size_t>((index + k) % size())];
    try {
      return load(file);
    } catch (const Error& e) {
      std::lock_guard lock(skipped_mutex_);
      if (reported_.insert(file.path).second) {
        std::cerr << "warning: " << options_.name << ": skipping '" << file.path << "' (using the next image): "
                  << e.what() << "\n";
        skipped_.push_back(file.path);
      }
    }
  }
  EXCITE_FAIL(options_.name << ": none of the " << size() << " images in '" << root_ << "' can be decoded");
}

std::vector<std::string> ImageFolder::skipped() const {
  std::lock_guard lock(skipped_mutex_);
  return skipped_;
}

int64_t ImageFolder::label(int64_t index) const {
  check_index(index, options_.name.c_str());
  return files_[static_cast<size_t>(index)].label;
}

std::string ImageFolder::description() const {
  std::ostringstream os;
  os << options_.name << ": " << size() << " images";
  if (height_ > 0) os << " " << height_ << "x" << width_ << "x" << options_.channels;
  os << ", " << classes_.size() << " classes";
  if (const size_t n = skipped().size(); n > 0) os << ", " << n << " bad files skipped";
  return os.str();
}

}  // namespace excite::data
