// fuzz/fuzz_cifar.cpp — read_cifar_file (data/cifar.cpp) on arbitrary file contents, in the
// CIFAR-10 layout (1 label byte per record) and both CIFAR-100 layouts (coarse, fine label).
#include "core/error.h"
#include "data/cifar.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static excite::fuzz::ScratchFile file("cifar.bin");
  const std::string& path = file.write(data, size);
  const excite::data::CifarRecordFormat formats[] = {{.label_bytes = 1, .label_offset = 0, .num_classes = 10},
                                                     {.label_bytes = 2, .label_offset = 0, .num_classes = 20},
                                                     {.label_bytes = 2, .label_offset = 1, .num_classes = 100}};
  for (const auto& format : formats) {
    std::vector<uint8_t> pixels;
    std::vector<int64_t> labels;
    try {
      excite::data::read_cifar_file(path, format, pixels, labels);
      if (pixels.size() != labels.size() * 3072) __builtin_trap();
      for (int64_t l : labels)
        if (l < 0 || l >= format.num_classes) __builtin_trap();
    } catch (const excite::Error&) {
    }
  }
  return 0;
}
