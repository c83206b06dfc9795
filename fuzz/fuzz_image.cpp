// fuzz/fuzz_image.cpp — the image-decoding path of ImageFolder (data/image.cpp): probe_image
// (the header check ImageFolder runs while scanning), load_image as get() calls it (RGB), and
// decode_image to grey, on arbitrary file contents.
#include <vector>

#include "core/error.h"
#include "data/image.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static excite::fuzz::ScratchFile file("image");
  const std::string& path = file.write(data, size);
  int64_t h = 0, w = 0, c = 0;
  std::string why;
  excite::data::probe_image(path, &h, &w, &c, &why);
  try {
    const excite::data::Image rgb = excite::data::load_image(path, 3);
    if (rgb.channels != 3 || rgb.pixels.size() != static_cast<size_t>(rgb.height * rgb.width * 3)) __builtin_trap();
  } catch (const excite::Error&) {
  }
  try {
    const excite::data::Image grey = excite::data::decode_image({data, size}, "fuzz", 1);
    if (grey.channels != 1 || grey.pixels.size() != static_cast<size_t>(grey.height * grey.width)) __builtin_trap();
  } catch (const excite::Error&) {
  }
  return 0;
}
