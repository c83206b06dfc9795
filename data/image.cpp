// data/image.cpp — Image construction and decoding through Debian's compiled stb_image.
#include "data/image.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/error.h"
#include "data/file_io.h"
#include "data/image_guard.h"

namespace excite::data {

Image::Image(int64_t h, int64_t w, int64_t c, uint8_t fill) : height(h), width(w), channels(c) {
  EXCITE_CHECK(h >= 0 && w >= 0 && c >= 1 && c <= 4,
               "image: invalid size " << h << "x" << w << "x" << c << " (expected H x W x C with C in 1..4)");
  pixels.assign(static_cast<size_t>(h * w * c), fill);
}

std::string Image::shape_str() const {
  return std::to_string(height) + "x" + std::to_string(width) + "x" + std::to_string(channels);
}

constexpr int64_t kMaxImagePixels = int64_t{1} << 28;  // 16384 x 16384: 768 MB as RGB

Image decode_image(std::span<const uint8_t> bytes, const std::string& name, int channels) {
  EXCITE_CHECK(channels == 1 || channels == 3, "decode_image: channels must be 1 or 3, got " << channels);
  EXCITE_CHECK(!bytes.empty(), "image '" << name << "': the file is empty (expected a JPEG, PNG or BMP image)");
  EXCITE_CHECK(bytes.size() <= static_cast<size_t>(INT32_MAX), "image '" << name << "': file too large to decode");
  const std::string problem = image_bytes_problem(bytes);  // bytes stb_image must not see
  EXCITE_CHECK(problem.empty(), "image '" << name << "': cannot decode (" << problem << ")");
  int w = 0, h = 0, file_channels = 0;
  // The header first: its size decides the allocation, so it is checked before any decoding.
  if (stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &file_channels)) {
    // abs: stb reports a top-down BMP's height as negative (found by fuzzing: a 36-byte BMP of
    // 204 x -524302 pixels passed both checks and took 85 s to decode under ASan).
    EXCITE_CHECK(std::abs(int64_t{w}) * std::abs(int64_t{h}) <= kMaxImagePixels,
                 "image '" << name << "': header claims " << w << "x" << h << " pixels, more than the "
                           << kMaxImagePixels << " this loader decodes; the file is corrupt or far too large");
    const std::string size_problem = image_size_problem(bytes, static_cast<int64_t>(bytes.size()), w, h);
    EXCITE_CHECK(size_problem.empty(), "image '" << name << "': cannot decode (" << size_problem << ")");
  }
  std::unique_ptr<stbi_uc, void (*)(void*)> data(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &file_channels, channels),
      stbi_image_free);
  EXCITE_CHECK(data != nullptr, "image '" << name << "': cannot decode (" << stbi_failure_reason()
                                          << "); expected a JPEG, PNG or BMP image");
  Image image;
  image.height = h;
  image.width = w;
  image.channels = channels;
  image.pixels.assign(data.get(), data.get() + static_cast<size_t>(w) * h * channels);
  return image;
}

Image load_image(const std::string& path, int channels) {
  const std::vector<uint8_t> bytes = read_file(path, "image");
  return decode_image(bytes, path, channels);
}

bool probe_image(const std::string& path, int64_t* height, int64_t* width, int64_t* channels, std::string* why) {
  // stb finds the header in the first bytes (a JPEG's markers before its frame: usually a few KB,
  // more with EXIF data), so the file is read in growing prefixes, in memory so that
  // image_bytes_problem sees exactly the bytes stb will.
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (f == nullptr) {
    *why = "cannot open the file";
    return false;
  }
  std::vector<uint8_t> bytes;
  int w = 0, h = 0, c = 0;
  for (size_t want = 16 * 1024;; want *= 8) {
    const size_t old_size = bytes.size();
    bytes.resize(std::min<size_t>(want, INT32_MAX));
    bytes.resize(old_size + std::fread(bytes.data() + old_size, 1, bytes.size() - old_size, f.get()));
    if (const std::string problem = image_bytes_problem(bytes, /*complete=*/false); !problem.empty()) {
      *why = problem;
      return false;
    }
    if (stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &c)) break;
    if (bytes.size() < want) {  // the whole file was there
      *why = stbi_failure_reason();
      return false;
    }
  }
  *height = std::abs(h);  // stb gives a top-down BMP's height as negative
  *width = w;
  *channels = c;
  return true;
}

Tensor image_to_tensor(const Image& image) {
  Tensor out({image.channels, image.height, image.width});
  const int64_t plane = image.height * image.width;
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < image.channels; ++c)
      out.data()[c * plane + p] = image.pixels[static_cast<size_t>(p * image.channels + c)] * (1.f / 255.f);
  return out;
}

}  // namespace excite::data
