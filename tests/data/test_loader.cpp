// Loader: batch shapes and counts, shuffling per epoch, identical batches for any worker count,
// early exit, errors from workers, bad options; and a first batch from each real dataset.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>

#include "data/cifar.h"
#include "data/idx.h"
#include "data/in_memory.h"
#include "data/loader.h"
#include "data_files.h"

using namespace excite;
using namespace excite::data;
using namespace excite::testing;

namespace {

// n images 8x8x3; every pixel of image i is i % 256 so a sample can be recognised; label i % 5.
InMemoryDataset numbered(int64_t n) {
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    pixels.insert(pixels.end(), 8 * 8 * 3, static_cast<uint8_t>(i % 256));
    labels.push_back(i % 5);
  }
  return InMemoryDataset({.name = "numbered", .height = 8, .width = 8, .channels = 3, .classes = {"a", "b", "c", "d", "e"}},
                         std::move(pixels), std::move(labels));
}

std::vector<Batch> all(Loader& loader) {
  std::vector<Batch> out;
  for (const Batch& b : loader) out.push_back(b);
  return out;
}

// Images of two sizes, or a failure at one index, to test errors raised inside workers.
class Awkward : public Dataset {
 public:
  int64_t size() const override { return 20; }
  Example get(int64_t i) const override {
    EXCITE_CHECK(i != 13, "awkward: sample 13 is broken");
    return {Image(i == 5 ? 6 : 4, 4, 3), 0};
  }
  int64_t label(int64_t) const override { return 0; }
  const std::vector<std::string>& classes() const override { return classes_; }
  int64_t channels() const override { return 3; }
  int64_t height() const override { return 0; }
  int64_t width() const override { return 0; }
  std::string description() const override { return "awkward"; }

 private:
  std::vector<std::string> classes_{"only"};
};

class Empty : public Awkward {
 public:
  int64_t size() const override { return 0; }
};

}  // namespace

TEST_CASE("Loader: batch shapes, last batch, drop_last, order without shuffle") {
  const InMemoryDataset data = numbered(103);
  Loader loader(data, {.batch_size = 32, .workers = 2});
  CHECK(loader.num_batches() == 4);
  const std::vector<Batch> batches = all(loader);
  REQUIRE(batches.size() == 4);
  CHECK(batches[0].images.shape() == Shape({32, 3, 8, 8}));
  CHECK(batches[3].images.shape() == Shape({7, 3, 8, 8}));
  CHECK(batches[3].index == 3);
  CHECK(batches[1].indices[0] == 32);
  CHECK(batches[1].labels[0] == 32 % 5);
  CHECK(batches[3].images.at({6, 2, 7, 7}) == Approx(102.f / 255.f));
  Loader dropping(data, {.batch_size = 32, .drop_last = true, .workers = 1});
  CHECK(dropping.num_batches() == 3);
  CHECK(all(dropping).size() == 3);
}

TEST_CASE("Loader: shuffling is a permutation per epoch, set by set_epoch, advancing by itself") {
  const InMemoryDataset data = numbered(50);
  Loader loader(data, {.batch_size = 16, .shuffle = true, .workers = 2, .seed = 3});
  auto epoch_order = [&] {
    std::vector<int64_t> order;
    for (const Batch& b : loader) {
      for (int64_t i = 0; i < b.size(); ++i) {
        // The image content and label follow the index.
        REQUIRE(b.images.at({i, 0, 0, 0}) == Approx(float(b.indices[size_t(i)]) / 255.f));
        REQUIRE(b.labels[size_t(i)] == b.indices[size_t(i)] % 5);
      }
      order.insert(order.end(), b.indices.begin(), b.indices.end());
    }
    return order;
  };
  const auto e0 = epoch_order();
  const auto e1 = epoch_order();  // no set_epoch: the next epoch
  CHECK(loader.epoch() == 2);
  auto sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
  CHECK(e0 != identity);
  CHECK(e0 != e1);
  loader.set_epoch(0);
  CHECK(epoch_order() == e0);
  CHECK(loader.order(1) == e1);
  Loader other_seed(data, {.batch_size = 16, .shuffle = true, .seed = 4});
  CHECK(other_seed.order(0) != e0);
}

TEST_CASE("Loader: the same seed gives identical batches whatever the number of workers") {
  const InMemoryDataset data = numbered(70);
  const Pipeline augment = Pipeline()
                               .then(RandomCrop({.size = 8, .padding = 2}))
                               .then(RandomHorizontalFlip())
                               .normalize(cifar10_stats())
                               .then(Cutout({.size = 3}));
  std::vector<std::vector<Batch>> runs;
  for (int workers : {0, 1, 2, 3, 4}) {
    Loader loader(data, {.batch_size = 8, .shuffle = true, .workers = workers, .seed = 11, .prefetch = 1}, augment);
    loader.set_epoch(2);
    runs.push_back(all(loader));
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    REQUIRE(runs[r].size() == runs[0].size());
    for (size_t b = 0; b < runs[0].size(); ++b) {
      REQUIRE(runs[r][b].indices == runs[0][b].indices);
      REQUIRE(max_abs_diff(runs[r][b].images, runs[0][b].images) == 0.f);
    }
  }
  // Augmentation differs between batches and between epochs, and batch() reproduces iteration.
  Loader loader(data, {.batch_size = 8, .shuffle = true, .workers = 2, .seed = 11}, augment);
  CHECK(max_abs_diff(loader.batch(2, 4).images, runs[0][4].images) == 0.f);
  CHECK(max_abs_diff(loader.batch(3, 4).images, runs[0][4].images) > 0.f);
}

// Counts the images the loader asks for, so a test can see how far ahead the workers read.
class CountingDataset : public Dataset {
 public:
  explicit CountingDataset(const Dataset& inner) : inner_(inner) {}
  int64_t size() const override { return inner_.size(); }
  Example get(int64_t index) const override {
    ++reads_;
    return inner_.get(index);
  }
  int64_t label(int64_t index) const override { return inner_.label(index); }
  const std::vector<std::string>& classes() const override { return inner_.classes(); }
  int64_t channels() const override { return inner_.channels(); }
  int64_t height() const override { return inner_.height(); }
  int64_t width() const override { return inner_.width(); }
  std::string description() const override { return "counting " + inner_.description(); }
  int64_t reads() const { return reads_.load(); }

 private:
  const Dataset& inner_;
  mutable std::atomic<int64_t> reads_{0};
};

TEST_CASE("Loader: a slow consumer does not make the workers buffer the dataset") {
  const InMemoryDataset inner = numbered(4000);
  const CountingDataset data(inner);
  const int workers = 2, prefetch = 2, batch = 10;
  Loader loader(data, {.batch_size = batch, .shuffle = true, .workers = workers, .seed = 3, .prefetch = prefetch});
  int64_t consumed = 0, most_ahead = 0;
  for (const Batch& b : loader) {
    consumed += static_cast<int64_t>(b.labels.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    most_ahead = std::max(most_ahead, data.reads() - consumed);
    if (consumed >= 600) break;
  }
  // At most the window (workers * prefetch batches) plus one batch per worker being built.
  CHECK(most_ahead <= int64_t{batch} * (workers * prefetch + workers));
  CHECK(data.reads() < 1000);
}

TEST_CASE("Loader: leaving a loop early stops the workers - the next loop starts afresh") {
  const InMemoryDataset data = numbered(500);
  Loader loader(data, {.batch_size = 4, .workers = 3, .prefetch = 2});
  for (const Batch& b : loader)
    if (b.index == 2) break;
  int64_t count = 0;
  for (const Batch& b : loader) count += b.size();
  CHECK(count == 500);
}

TEST_CASE("Loader errors: bad options, empty dataset, mixed sizes, a worker's exception") {
  const InMemoryDataset data = numbered(10);
  CHECK_THROWS_WITH(Loader(data, {.batch_size = 0}), Catch::Contains("batch_size must be positive"));
  CHECK_THROWS_WITH(Loader(data, {.workers = -1}), Catch::Contains("workers must lie in [0, 64]"));
  CHECK_THROWS_WITH(Loader(data, {.batch_size = 11, .drop_last = true}), Catch::Contains("leaves no batch"));
  const Empty empty;
  CHECK_THROWS_WITH(Loader(empty), Catch::Contains("empty dataset"));
  CHECK_THROWS_WITH(InMemoryDataset({.name = "none", .height = 2, .width = 2, .channels = 1, .classes = {"a"}}, {}, {}),
                    Catch::Contains("none: empty dataset"));
  CHECK_THROWS_WITH(InMemoryDataset({.name = "lbl", .height = 1, .width = 1, .channels = 1, .classes = {"a"}}, {0}, {1}),
                    Catch::Contains("label 1 of image 0 out of range [0, 1)"));

  const Awkward awkward;
  Loader mixed(awkward, {.batch_size = 4, .workers = 2});
  CHECK_THROWS_WITH(all(mixed), Catch::Contains("sample 5 of awkward is 6x4x3") &&
                                    Catch::Contains("sample 4 of the same batch is 4x4x3") &&
                                    Catch::Contains("Resize + CenterCrop"));
  Loader failing(awkward, {.batch_size = 4, .workers = 2}, Pipeline().then(CenterCrop(4)));
  std::vector<int64_t> seen;
  try {
    for (const Batch& b : failing) seen.push_back(b.index);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("sample 13 is broken") != std::string::npos);
  }
  CHECK(seen == std::vector<int64_t>{0, 1, 2});
}

TEST_CASE("Loader on real CIFAR-10 and Fashion-MNIST: first batch shapes and normalised values") {
  if (std::filesystem::exists(cifar10_dir())) {
    const Cifar10 test(cifar10_dir(), Split::Test);
    Loader loader(test, {.batch_size = 128, .shuffle = true, .workers = 2}, cifar_train_transforms());
    CHECK(loader.num_batches() == 79);
    const Batch b = *loader.begin();
    CHECK(b.images.shape() == Shape({128, 3, 32, 32}));
    CHECK(all_finite(b.images));
    double mean = 0;
    for (float v : b.images) mean += v;
    mean /= double(b.images.numel());
    CHECK(std::abs(mean) < 0.3);  // normalised (padding zeros pull it a little negative)
  } else {
    WARN("skipping CIFAR-10 part: " << cifar10_dir() << " not found");
  }
  EXCITE_REQUIRE_DATA(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz");
  const FashionMnist test(fashion_mnist_dir(), Split::Test);
  Loader loader(test, {.batch_size = 100, .workers = 1}, fashion_mnist_test_transforms());
  const Batch b = *loader.begin();
  CHECK(b.images.shape() == Shape({100, 1, 28, 28}));
  CHECK(b.labels.size() == 100);
}
