// Transforms: the geometry of each crop/flip/resize on coordinate-coded images, the value maths
// of normalise and cutout, determinism from the generator, and pipeline order rules.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "data/pipeline.h"
#include "data/resample.h"

using namespace excite;
using namespace excite::data;

namespace {

// Channel 0 holds 1 + y * 16 + x (never 0, so padding shows), other channels 200 + c.
Image coded(int64_t h, int64_t w, int64_t c = 3) {
  Image image(h, w, c);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t ch = 0; ch < c; ++ch) image.at(y, x, ch) = static_cast<uint8_t>(ch == 0 ? 1 + y * 16 + x : 200 + ch);
  return image;
}

// The (dy, dx) such that out(y, x) = in(y + dy, x + dx) wherever out is not padding.
std::pair<int64_t, int64_t> offset_of(const Image& out) {
  for (int64_t y = 0; y < out.height; ++y)
    for (int64_t x = 0; x < out.width; ++x)
      if (const int v = out.at(y, x, 0); v != 0) return {(v - 1) / 16 - y, (v - 1) % 16 - x};
  return {99, 99};
}

}  // namespace

TEST_CASE("crop pads with the fill value outside the image") {
  const Image in = coded(4, 4);
  const Image out = crop(in, -1, 2, 3, 3, 7);
  CHECK(out.shape_str() == "3x3x3");
  CHECK(out.at(0, 0, 0) == 7);             // row -1
  CHECK(out.at(1, 0, 0) == in.at(0, 2, 0));
  CHECK(out.at(1, 2, 0) == 7);             // column 4
  CHECK(out.at(2, 1, 1) == 201);
}

TEST_CASE("RandomCrop with padding: every offset in [-p, p] appears, content is shifted intact") {
  const RandomCrop rc({.size = 8, .padding = 2});
  Generator gen(1);
  std::set<std::pair<int64_t, int64_t>> seen;
  for (int i = 0; i < 2000; ++i) {
    Image image = coded(8, 8);
    rc.apply(image, gen);
    REQUIRE(image.shape_str() == "8x8x3");
    const auto [dy, dx] = offset_of(image);
    REQUIRE(std::abs(dy) <= 2);
    REQUIRE(std::abs(dx) <= 2);
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 8; ++x) {
        const bool inside = y + dy >= 0 && y + dy < 8 && x + dx >= 0 && x + dx < 8;
        REQUIRE(image.at(y, x, 0) == (inside ? 1 + (y + dy) * 16 + (x + dx) : 0));
      }
    seen.insert({dy, dx});
  }
  CHECK(seen.size() == 25);
  Image small = coded(3, 3);
  CHECK_THROWS_WITH(RandomCrop({.size = 8, .padding = 2}).apply(small, gen), Catch::Contains("does not fit"));
}

TEST_CASE("RandomHorizontalFlip mirrors rows with probability p") {
  Generator gen(2);
  Image image = coded(2, 5);
  RandomHorizontalFlip(1.f).apply(image, gen);
  CHECK(image.at(1, 0, 0) == 1 + 16 + 4);
  CHECK(image.at(1, 4, 0) == 1 + 16);
  RandomHorizontalFlip(0.f).apply(image, gen);
  CHECK(image.at(1, 0, 0) == 1 + 16 + 4);
  int flips = 0;
  for (int i = 0; i < 2000; ++i) {
    Image im = coded(1, 2);
    RandomHorizontalFlip().apply(im, gen);
    flips += im.at(0, 0, 0) == 2;
  }
  CHECK(flips > 900);
  CHECK(flips < 1100);
}

TEST_CASE("bilinear resize: half-pixel centres, exact on halving, constant stays constant") {
  Image ramp(1, 4, 1);
  ramp.pixels = {0, 100, 200, 250};
  const Image half = resize_bilinear(ramp, 1, 2);
  CHECK(half.pixels == std::vector<uint8_t>{50, 225});
  Image two(1, 2, 1);
  two.pixels = {0, 200};
  const Image four = resize_bilinear(two, 1, 4);  // sources -0.25 (clamped), 0.25, 0.75, 1.25 (clamped)
  CHECK(four.pixels == std::vector<uint8_t>{0, 50, 150, 200});
  Image flat(7, 9, 3, 123);
  CHECK(resize_bilinear(flat, 20, 3).pixels == std::vector<uint8_t>(20 * 3 * 3, 123));
}

TEST_CASE("Resize keeps the aspect ratio, CenterCrop takes the middle") {
  Generator gen(0);
  Image wide(40, 80, 3, 9);
  Resize(20).apply(wide, gen);
  CHECK(wide.shape_str() == "20x40x3");
  Image tall(81, 27, 1, 9);
  Resize(9).apply(tall, gen);
  CHECK(tall.shape_str() == "27x9x1");
  Image image = coded(10, 12);
  CenterCrop(4).apply(image, gen);
  CHECK(image.shape_str() == "4x4x3");
  CHECK(offset_of(image) == std::pair<int64_t, int64_t>{3, 4});
  Image small = coded(2, 2);
  CenterCrop(4).apply(small, gen);  // padded around
  CHECK(small.at(0, 0, 0) == 0);
  CHECK(small.at(1, 1, 0) == 1);
}

TEST_CASE("RandomResizedCrop: windows inside the image with area and ratio in range, output size fixed") {
  const RandomResizedCrop rrc({.size = 24});
  Generator gen(3);
  for (int i = 0; i < 500; ++i) {
    const auto w = rrc.choose(100, 150, gen);
    REQUIRE(w.top >= 0);
    REQUIRE(w.left >= 0);
    REQUIRE(w.top + w.height <= 100);
    REQUIRE(w.left + w.width <= 150);
    const double area = double(w.height) * w.width / (100.0 * 150.0);
    REQUIRE(area >= 0.07);
    REQUIRE(area <= 1.0);
    const double ratio = double(w.width) / w.height;
    REQUIRE(ratio >= 0.7);
    REQUIRE(ratio <= 1.4);
  }
  // A 1 x 50 strip never fits a window of ratio <= 4/3 with enough area: the central fallback.
  const auto fallback = rrc.choose(1, 50, gen);
  CHECK(fallback.height == 1);
  CHECK(fallback.width == 1);
  CHECK(fallback.left == 24);
  Image image(37, 53, 3, 10);
  rrc.apply(image, gen);
  CHECK(image.shape_str() == "24x24x3");
  Generator a(5), b(5);
  Image x = coded(15, 15), y = coded(15, 15);
  rrc.apply(x, a);
  rrc.apply(y, b);
  CHECK(x.pixels == y.pixels);
}

TEST_CASE("Normalize: (x/255 - mean) / std into CHW, presets, channel mismatch") {
  Image image(1, 2, 3);
  image.pixels = {0, 51, 255, 255, 102, 0};
  const Normalize n({{0.5f, 0.2f, 0.f}, {0.5f, 0.1f, 1.f}});
  std::vector<float> out(6);
  n.apply(image, out.data());
  CHECK(out[0] == Approx(-1.f));         // c0, x0
  CHECK(out[1] == Approx(1.f));          // c0, x1
  CHECK(out[2] == Approx(0.f).margin(1e-6));  // c1: (0.2 - 0.2) / 0.1
  CHECK(out[3] == Approx(2.f));          // c1: (0.4 - 0.2) / 0.1
  CHECK(out[4] == Approx(1.f));
  CHECK(out[5] == Approx(0.f));
  CHECK(cifar10_stats().mean.size() == 3);
  CHECK(fashion_mnist_stats().mean == std::vector<float>{0.2860f});
  CHECK(imagenet_stats().std[2] == 0.225f);
  Image grey(2, 2, 1);
  CHECK_THROWS_WITH(Normalize(cifar10_stats()).apply(grey, out.data()),
                    Catch::Contains("statistics for 3 channels applied to a 2x2x1 image"));
  CHECK_THROWS_WITH(Normalize({{0.5f}, {0.f}}), Catch::Contains("must be positive"));
}

TEST_CASE("Cutout zeroes one square clipped at the border") {
  Generator gen(4);
  for (int i = 0; i < 200; ++i) {
    std::vector<float> x(2 * 10 * 10, 1.f);
    Cutout({.size = 4}).apply(x.data(), 2, 10, 10, gen);
    int64_t zeros = 0;
    for (float v : x) zeros += v == 0.f;
    REQUIRE(zeros % 2 == 0);  // both channels alike
    REQUIRE(zeros >= 2 * 2 * 2);
    REQUIRE(zeros <= 2 * 16);
  }
  std::vector<float> x(100, 1.f);
  Cutout({.size = 4, .p = 0.f}).apply(x.data(), 1, 10, 10, gen);
  CHECK(x == std::vector<float>(100, 1.f));
}

TEST_CASE("Pipeline: stages in order, deterministic from the generator, describe") {
  const Pipeline p = Pipeline()
                         .then(RandomCrop({.size = 8, .padding = 2}))
                         .then(RandomHorizontalFlip())
                         .normalize(cifar10_stats())
                         .then(Cutout({.size = 3}));
  CHECK(p.describe() ==
        "RandomCrop(size=8, padding=2) -> RandomHorizontalFlip(p=0.500000) -> Normalize((0.4914, 0.247), "
        "(0.4822, 0.2435), (0.4465, 0.2616)) -> Cutout(size=3)");
  Generator a(9), b(9), c(10);
  const Tensor ta = p(coded(8, 8), a), tb = p(coded(8, 8), b), tc = p(coded(8, 8), c);
  CHECK(ta.shape() == Shape({3, 8, 8}));
  CHECK(max_abs_diff(ta, tb) == 0.f);
  CHECK(max_abs_diff(ta, tc) > 0.f);
  Pipeline bad;
  bad.normalize({});
  CHECK_THROWS_WITH(bad.then(CenterCrop(3)), Catch::Contains("CenterCrop(size=3) comes after normalisation"));
  CHECK_THROWS_WITH(Pipeline().then(Cutout({})).normalize({}), Catch::Contains("after a tensor step"));
  Generator g(0);
  CHECK(imagenet_train_transforms()(Image(300, 200, 3, 5), g).shape() == Shape({3, 224, 224}));
  CHECK(imagenet_test_transforms()(Image(300, 200, 3, 5), g).shape() == Shape({3, 224, 224}));
  CHECK(cifar_test_transforms()(Image(32, 32, 3, 5), g).shape() == Shape({3, 32, 32}));
  CHECK(fashion_mnist_train_transforms()(Image(28, 28, 1, 5), g).shape() == Shape({1, 28, 28}));
}
