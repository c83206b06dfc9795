// ImageFolder: the real JPEG sample of CIFAR-10 (and its agreement with the .bin records), and
// small PNG/BMP/JPEG folders written here for grey/RGBA conversion and every bad-input case.
#include <catch2/catch.hpp>

#include <stb/stb_image_write.h>

#include "data/cifar.h"
#include "data/image_folder.h"
#include "data/loader.h"
#include "data/pipeline.h"
#include "data_files.h"

using namespace excite;
using namespace excite::data;
using namespace excite::testing;

namespace {

// A c-channel image whose value at (y, x, ch) is (y * 10 + x * 3 + ch * 50) % 256.
std::vector<uint8_t> pattern(int h, int w, int c) {
  std::vector<uint8_t> p;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) p.push_back(static_cast<uint8_t>((y * 10 + x * 3 + ch * 50) % 256));
  return p;
}

void write_png(const std::string& path, int h, int w, int c) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  REQUIRE(stbi_write_png(path.c_str(), w, h, c, pattern(h, w, c).data(), w * c) != 0);
}

void write_bmp(const std::string& path, int h, int w) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  REQUIRE(stbi_write_bmp(path.c_str(), w, h, 3, pattern(h, w, 3).data()) != 0);
}

void write_jpg(const std::string& path, int h, int w) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  REQUIRE(stbi_write_jpg(path.c_str(), w, h, 3, pattern(h, w, 3).data(), 95) != 0);
}

// root/cat/{a.png (grey 5x7), b.BMP (6x4)}, root/dog/{c.jpg (8x8), d.png (RGBA 3x3), .hidden}.
std::string write_folder(const std::string& tag) {
  const std::string root = temp_dir(tag);
  write_png(root + "/cat/a.png", 5, 7, 1);
  write_bmp(root + "/cat/b.BMP", 6, 4);
  write_jpg(root + "/dog/c.jpg", 8, 8);
  write_png(root + "/dog/d.png", 3, 3, 4);
  write_bytes(root + "/dog/.hidden", {1, 2, 3});
  write_bytes(root + "/README.txt", {'h', 'i'});  // files beside the class folders are not classes
  return root;
}

}  // namespace

TEST_CASE("ImageFolder on cifar10-jpeg-mini: 500 + 200 images, 10 sorted classes") {
  EXCITE_REQUIRE_DATA(jpeg_mini_dir());
  const ImageFolder train(jpeg_mini_dir() + "/train");
  const ImageFolder val(jpeg_mini_dir() + "/val");
  CHECK(train.size() == 500);
  CHECK(val.size() == 200);
  const std::vector<std::string> names{"airplane", "automobile", "bird", "cat", "deer",
                                       "dog",      "frog",       "horse", "ship", "truck"};
  CHECK(train.classes() == names);
  CHECK(label_histogram(train) == std::vector<int64_t>(10, 50));
  CHECK(label_histogram(val) == std::vector<int64_t>(10, 20));
  CHECK(train.height() == 32);
  CHECK(train.width() == 32);
  CHECK(train.skipped().empty());
  CHECK(train.path(0) == jpeg_mini_dir() + "/train/airplane/0000.jpg");
  CHECK(train.path(499) == jpeg_mini_dir() + "/train/truck/0049.jpg");
  const Example ex = train.get(51);  // automobile/0001.jpg
  CHECK(ex.label == 1);
  CHECK(ex.image.shape_str() == "32x32x3");
  // Decoding is deterministic, and the pixels are a real photo, not a flat fill.
  CHECK(train.get(51).image.pixels == ex.image.pixels);
  const auto [lo, hi] = std::minmax_element(ex.image.pixels.begin(), ex.image.pixels.end());
  CHECK(*hi - *lo > 100);
}

TEST_CASE("A JPEG of the sample matches one record of the CIFAR-10 .bin within decoder tolerance") {
  EXCITE_REQUIRE_DATA(jpeg_mini_dir());
  EXCITE_REQUIRE_DATA(cifar10_dir());
  const Cifar10 bin(cifar10_dir(), Split::Test);
  const ImageFolder val(jpeg_mini_dir() + "/val");
  for (int64_t i : {int64_t{0}, int64_t{137}}) {
    const Example jpeg = val.get(i);
    // The closest record of the same class (the README: decoders differ by up to 3 levels).
    int best = 256;
    for (int64_t k = 0; k < bin.size() && best > 3; ++k) {
      if (bin.label(k) != jpeg.label) continue;
      const uint8_t* p = bin.pixels(k);
      int worst = 0;
      for (size_t j = 0; j < jpeg.image.pixels.size() && worst <= best; ++j)
        worst = std::max(worst, std::abs(int(p[j]) - int(jpeg.image.pixels[j])));
      best = std::min(best, worst);
    }
    INFO("val image " << val.path(i));
    CHECK(best <= 3);
  }
}

TEST_CASE("ImageFolder decodes PNG/BMP/JPEG of any size - grey and RGBA become RGB") {
  const std::string root = write_folder("folder-ok");
  const ImageFolder folder(root);
  CHECK(folder.classes() == std::vector<std::string>{"cat", "dog"});
  REQUIRE(folder.size() == 4);
  CHECK(folder.height() == 0);  // sizes differ
  CHECK(folder.label(1) == 0);
  CHECK(folder.label(2) == 1);

  const Image grey = folder.get(0).image;  // a.png, 1 channel in the file
  REQUIRE(grey.shape_str() == "5x7x3");
  CHECK(grey.at(4, 6, 0) == (40 + 18) % 256);
  CHECK(grey.at(4, 6, 1) == grey.at(4, 6, 0));
  CHECK(grey.at(4, 6, 2) == grey.at(4, 6, 0));
  const Image bmp = folder.get(1).image;
  REQUIRE(bmp.shape_str() == "6x4x3");
  CHECK(bmp.pixels == pattern(6, 4, 3));
  const Image jpg = folder.get(2).image;
  REQUIRE(jpg.shape_str() == "8x8x3");
  int worst = 0;
  const auto expected = pattern(8, 8, 3);
  for (size_t j = 0; j < expected.size(); ++j) worst = std::max(worst, std::abs(int(jpg.pixels[j]) - int(expected[j])));
  CHECK(worst < 40);  // lossy, but the same picture
  const Image rgba = folder.get(3).image;  // alpha dropped
  REQUIRE(rgba.shape_str() == "3x3x3");
  CHECK(rgba.at(2, 1, 2) == (20 + 3 + 100) % 256);

  const ImageFolder grey_folder(root, {.channels = 1});
  CHECK(grey_folder.get(1).image.shape_str() == "6x4x1");
}

TEST_CASE("ImageFolder bad input: missing root, no classes, empty class, non-image, corrupt image") {
  CHECK_THROWS_WITH(ImageFolder(temp_dir("folder-none") + "/absent"), Catch::Contains("absent' not found"));
  CHECK_THROWS_WITH(ImageFolder(temp_dir("folder-empty")), Catch::Contains("empty dataset: no class folders"));

  SECTION("empty class folder") {
    const std::string root = write_folder("folder-emptyclass");
    std::filesystem::create_directories(root + "/emu");
    CHECK_THROWS_WITH(ImageFolder(root), Catch::Contains(root + "/emu' holds no images"));
  }
  SECTION("non-image file: error, or warn and skip") {
    const std::string root = write_folder("folder-text");
    write_bytes(root + "/dog/notes.txt", {'x'});
    CHECK_THROWS_WITH(ImageFolder(root), Catch::Contains(root + "/dog/notes.txt' is not an image") &&
                                             Catch::Contains("BadFile::Skip"));
    const ImageFolder skipping(root, {.on_bad_file = BadFile::Skip});
    CHECK(skipping.size() == 4);
    CHECK(skipping.skipped() == std::vector<std::string>{root + "/dog/notes.txt"});
  }
  SECTION("garbage with an image extension: caught by the header check, or skipped") {
    const std::string root = write_folder("folder-garbage");
    write_bytes(root + "/cat/broken.jpg", std::vector<uint8_t>(300, 0x42));
    CHECK_THROWS_WITH(ImageFolder(root), Catch::Contains(root + "/cat/broken.jpg' is not a readable JPEG, PNG or BMP"));
    const ImageFolder skipping(root, {.on_bad_file = BadFile::Skip});
    CHECK(skipping.size() == 4);
    CHECK(skipping.skipped().size() == 1);
    // Without the header check the scan accepts it, and decoding names it.
    const ImageFolder unchecked(root, {.check_headers = false});
    REQUIRE(unchecked.size() == 5);
    CHECK(unchecked.path(2) == root + "/cat/broken.jpg");  // a.png, b.BMP, broken.jpg
    CHECK_THROWS_WITH(unchecked.get(2), Catch::Contains(root + "/cat/broken.jpg': cannot decode") &&
                                            Catch::Contains("BadFile::Skip"));
  }
  SECTION("valid header, truncated data: decode error names the file, also through the loader's workers") {
    const std::string root = write_folder("folder-trunc");
    write_png(root + "/cat/big.png", 64, 64, 3);
    auto bytes = read_bytes(root + "/cat/big.png", 0, 200);
    write_bytes(root + "/cat/big.png", bytes);
    const ImageFolder folder(root);  // the header is fine
    REQUIRE(folder.path(0) == root + "/cat/a.png");
    REQUIRE(folder.path(2) == root + "/cat/big.png");
    CHECK_THROWS_WITH(folder.get(2), Catch::Contains("big.png': cannot decode"));
    Loader loader(folder, {.batch_size = 1, .workers = 2}, Pipeline().then(Resize(4)).then(CenterCrop(4)));
    int64_t seen = 0;
    auto consume = [&] {
      for (const Batch& b : loader) seen += b.size();
    };
    CHECK_THROWS_WITH(consume(), Catch::Contains("big.png': cannot decode"));
    CHECK(seen == 2);
    // With Skip the broken file is reported once and replaced by the next one that decodes.
    const ImageFolder skipping(root, {.on_bad_file = BadFile::Skip});
    REQUIRE(skipping.size() == 5);
    const Example replaced = skipping.get(2);
    CHECK(replaced.image.pixels == skipping.get(3).image.pixels);
    CHECK(replaced.label == 1);
    CHECK(skipping.skipped() == std::vector<std::string>{root + "/cat/big.png"});
    Loader skip_loader(skipping, {.batch_size = 5, .workers = 2}, Pipeline().then(Resize(4)).then(CenterCrop(4)));
    CHECK(skip_loader.begin()->size() == 5);
  }
  SECTION("a header claiming a gigantic image is refused before decoding") {
    const std::string root = write_folder("folder-huge");
    auto bmp = read_bytes(root + "/cat/b.BMP", 0, static_cast<int64_t>(std::filesystem::file_size(root + "/cat/b.BMP")));
    for (int i = 0; i < 4; ++i) bmp[18 + i] = bmp[22 + i] = static_cast<uint8_t>((50000 >> (8 * i)) & 0xFF);
    write_bytes(root + "/cat/b.BMP", bmp);
    const ImageFolder folder(root);
    CHECK_THROWS_WITH(folder.get(1), Catch::Contains("b.BMP': header claims 50000x50000 pixels"));
  }
  SECTION("empty file") {
    const std::string root = write_folder("folder-zero");
    write_bytes(root + "/cat/zero.png", {});
    CHECK_THROWS_WITH(ImageFolder(root), Catch::Contains("zero.png' is not a readable"));
    CHECK_THROWS_WITH(load_image(root + "/cat/zero.png"), Catch::Contains("zero.png': the file is empty"));
  }
}

TEST_CASE("load_image_tensor: one file through a test pipeline, for predict") {
  const std::string root = temp_dir("predict");
  write_png(root + "/x.png", 300, 400, 3);
  const Tensor t = load_image_tensor(root + "/x.png", imagenet_test_transforms());
  CHECK(t.shape() == Shape({1, 3, 224, 224}));
  CHECK(all_finite(t));
  const Tensor raw = load_image_tensor(root + "/x.png", Pipeline());
  CHECK(raw.shape() == Shape({1, 3, 300, 400}));
  CHECK(raw.at({0, 2, 7, 5}) == Approx(((70 + 15 + 100) % 256) / 255.f));
  CHECK_THROWS_WITH(load_image_tensor(root + "/y.png", Pipeline()), Catch::Contains("y.png' not found"));
}
