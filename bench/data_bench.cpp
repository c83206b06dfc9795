// bench/data_bench.cpp — loader-only throughput (images/s), no model.
//
//   bench_data_bench [--cifar DIR] [--folder DIR] [--epochs N]
//
// 1. CIFAR-10 train (50,000 images in memory as uint8): random crop 32 (padding 4) + flip +
//    normalise, batch 128, shuffled, for 0, 1 and 2 workers.
// 2. An image folder of JPEGs (default: shared/datasets/cifar10-jpeg-mini/train, 500 images):
//    decode + random-resized-crop to 224 + flip + normalise, batch 128, for 0, 1 and 2 workers.
// 3. The same on 256 synthetic 500x375 JPEGs (ImageNet's typical size, written to a temporary
//    folder first), where decoding, not the crop, is the cost.
// The consumer only touches each batch, so the figure is what the loader can deliver; compare it
// with the training step's images/s. Directories default to locate.h's search (run from the
// repository root, ../shared/datasets is found).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <stb/stb_image_write.h>

#include <random>

#include "data/cifar.h"
#include "data/image_folder.h"
#include "data/loader.h"

using namespace excite;
using namespace excite::data;

// 256 photo-like (smooth gradients plus noise) 500x375 JPEGs at quality 90 in 4 class folders.
static std::string write_large_jpegs() {
  const auto root = std::filesystem::temp_directory_path() / "excite-data-bench-jpegs";
  std::filesystem::remove_all(root);
  std::mt19937 rng(0);
  const int w = 500, h = 375;
  std::vector<uint8_t> pixels(static_cast<size_t>(w) * h * 3);
  for (int i = 0; i < 256; ++i) {
    const auto dir = root / ("class" + std::to_string(i % 4));
    std::filesystem::create_directories(dir);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < 3; ++c)
          pixels[(static_cast<size_t>(y) * w + x) * 3 + c] =
              static_cast<uint8_t>((x * (c + 1) + y * (3 - c) + i * 17) / 4 % 256 / 2 + rng() % 64);
    const std::string path = (dir / (std::to_string(i) + ".jpg")).string();
    if (!stbi_write_jpg(path.c_str(), w, h, 3, pixels.data(), 90)) throw Error("bench: cannot write " + path);
  }
  return root.string();
}

static double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Images per second over `epochs` full passes (after one untimed batch to start the threads).
static double measure(Loader& loader, int epochs, int64_t* images_out) {
  int64_t images = 0;
  double checksum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e) {
    loader.set_epoch(e);
    for (const Batch& b : loader) {
      images += b.size();
      checksum += b.images[0];
    }
  }
  const double s = seconds_since(t0);
  if (checksum == 12345.678) std::printf("(checksum)\n");
  *images_out = images;
  return images / s;
}

int main(int argc, char** argv) {
  std::string cifar_flag, folder;
  int epochs = 2;
  for (int i = 1; i < argc; i += 2) {
    const bool has_value = i + 1 < argc;
    if (has_value && !std::strcmp(argv[i], "--cifar")) {
      cifar_flag = argv[i + 1];
    } else if (has_value && !std::strcmp(argv[i], "--folder")) {
      folder = argv[i + 1];
    } else if (has_value && !std::strcmp(argv[i], "--epochs")) {
      char* end = nullptr;
      const long n = std::strtol(argv[i + 1], &end, 10);
      if (*argv[i + 1] == '\0' || *end != '\0' || n < 1 || n > 1000) {
        std::fprintf(stderr, "bench_data_bench: --epochs takes a whole number from 1 to 1000, not '%s'\n", argv[i + 1]);
        return 2;
      }
      epochs = static_cast<int>(n);
    } else {
      std::fprintf(stderr, "bench_data_bench: unknown option or missing value: '%s'\n"
                   "usage: bench_data_bench [--cifar DIR] [--folder DIR] [--epochs N]\n", argv[i]);
      return 2;
    }
  }
  try {
    {
      const auto t0 = std::chrono::steady_clock::now();
      const Cifar10 train(cifar_flag, Split::Train);
      std::printf("%s\n  loaded in %.2f s\n", train.description().c_str(), seconds_since(t0));
      for (int workers : {0, 1, 2}) {
        Loader loader(train, {.batch_size = 128, .shuffle = true, .workers = workers, .seed = 0},
                      cifar_train_transforms());
        int64_t images = 0;
        const double rate = measure(loader, epochs, &images);
        std::printf("  CIFAR-10 crop+flip+normalise, batch 128, workers %d: %lld images, %.0f images/s\n", workers,
                    static_cast<long long>(images), rate);
      }
    }
    {
      if (folder.empty())
        for (const char* place : {"../shared/datasets/cifar10-jpeg-mini/train", "shared/datasets/cifar10-jpeg-mini/train"})
          if (std::filesystem::exists(place)) folder = place;
      if (folder.empty()) folder = "../shared/datasets/cifar10-jpeg-mini/train";
      const ImageFolder jpegs(folder);
      std::printf("%s\n", jpegs.description().c_str());
      for (int workers : {0, 1, 2}) {
        Loader loader(jpegs, {.batch_size = 128, .shuffle = true, .workers = workers, .seed = 0},
                      imagenet_train_transforms(224));
        int64_t images = 0;
        const double rate = measure(loader, 4 * epochs, &images);
        std::printf("  JPEG decode+random-resized-crop 224+flip+normalise, batch 128, workers %d: %lld images, "
                    "%.0f images/s\n",
                    workers, static_cast<long long>(images), rate);
      }
    }
    {
      const ImageFolder large(write_large_jpegs());
      std::printf("%s (synthetic)\n", large.description().c_str());
      for (int workers : {0, 1, 2}) {
        Loader loader(large, {.batch_size = 128, .shuffle = true, .workers = workers, .seed = 0},
                      imagenet_train_transforms(224));
        int64_t images = 0;
        const double rate = measure(loader, epochs, &images);
        std::printf("  500x375 JPEG decode+random-resized-crop 224+flip+normalise, batch 128, workers %d: %lld "
                    "images, %.0f images/s\n",
                    workers, static_cast<long long>(images), rate);
      }
      std::filesystem::remove_all(large.root());
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
