// data/image_folder.h — ImageFolder: images laid out as root/<class>/<image>, decoded on demand.
//
// Classes are the sub-folders of root sorted by name (byte-wise), label = position in that order;
// files inside a class folder (and its sub-folders) are sorted too, so indices are stable.
// JPEG, PNG and BMP (by extension, any case) of any size are decoded by stb_image in get(), i.e.
// in the loader's worker threads; grey and RGBA become RGB. Hidden files are ignored.
// Checks while scanning: root missing, no class folders, an empty class folder, a file that is
// not an image (unknown extension, or - with check_headers - a header stb_image rejects). Each is
// an excite::Error naming the path; with on_bad_file = Skip a bad file is instead reported on
// stderr, listed in skipped() and left out. A file whose header is fine but whose data is corrupt
// is found only when decoded: get() throws naming it, or with Skip reports it once and returns
// the next file (in index order, wrapping) that decodes, with that file's label.
// Leaves out: resizing to a common size (transforms.h: the loader needs equal sizes per batch).
#pragma once

#include <mutex>
#include <set>

#include "data/dataset.h"

namespace excite::data {

enum class BadFile { Error, Skip };

struct ImageFolderOptions {
  BadFile on_bad_file = BadFile::Error;  // Skip: warn on stderr, list in skipped(), leave out
  bool check_headers = true;             // read every file's header while scanning (no full decode)
  int channels = 3;                      // 3 = RGB, 1 = grey
  std::string name = "";                 // for messages; defaults to "ImageFolder <root>"
};

class ImageFolder : public Dataset {
 public:
  explicit ImageFolder(const std::string& root, ImageFolderOptions options = {});

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  Example get(int64_t index) const override;
  int64_t label(int64_t index) const override;
  const std::vector<std::string>& classes() const override { return classes_; }
  int64_t channels() const override { return options_.channels; }
  // The common size when check_headers found every image of one size, else 0.
  int64_t height() const override { return height_; }
  int64_t width() const override { return width_; }
  std::string description() const override;

  const std::string& path(int64_t index) const;
  // Files left out while scanning, then those replaced when their decoding failed (Skip only).
  std::vector<std::string> skipped() const;
  const std::string& root() const { return root_; }

 private:
  struct File {
    std::string path;
    int64_t label;
  };
  void bad_file(const std::string& path, const std::string& why);
  Example load(const File& file) const;

  std::string root_;
  ImageFolderOptions options_;
  std::vector<std::string> classes_;
  std::vector<File> files_;
  mutable std::mutex skipped_mutex_;  // get() runs on several loader threads
  mutable std::vector<std::string> skipped_;
  mutable std::set<std::string> reported_;
  int64_t height_ = 0;
  int64_t width_ = 0;
};

// True for .jpg .jpeg .png .bmp in any letter case.
bool has_image_extension(const std::string& path);

}  // namespace excite::data
