// IDX (MNIST format): Debian's Fashion-MNIST for real, and small plain / gzip files for every
// header check: magic, type, dimensions, truncation, trailing bytes, absurd sizes, label range.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "data/idx.h"
#include "data_files.h"

using namespace excite;
using namespace excite::data;
using namespace excite::testing;

namespace {

std::vector<uint8_t> idx_header(uint8_t type, std::vector<uint32_t> dims) {
  std::vector<uint8_t> b{0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) b.push_back(static_cast<uint8_t>(d >> shift));
  return b;
}

std::vector<uint8_t> idx_file(std::vector<uint32_t> dims, int64_t value_count, int seed = 0) {
  std::vector<uint8_t> b = idx_header(0x08, dims);
  for (int64_t i = 0; i < value_count; ++i) b.push_back(static_cast<uint8_t>((seed + i) % 10));
  return b;
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  if (!bytes.empty()) gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// The whole decompressed content of a (possibly gzip'd) file.
std::vector<uint8_t> gunzip(const std::string& path, int64_t max_bytes) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::vector<uint8_t> out(static_cast<size_t>(max_bytes));
  const int got = gzread(f, out.data(), static_cast<unsigned>(max_bytes));
  gzclose(f);
  out.resize(static_cast<size_t>(std::max(got, 0)));
  return out;
}

}  // namespace

TEST_CASE("Fashion-MNIST real files (Debian dataset-fashion-mnist): counts, size, labels, pixels") {
  EXCITE_REQUIRE_DATA(fashion_mnist_dir() + "/train-images-idx3-ubyte.gz");
  const FashionMnist train(fashion_mnist_dir(), Split::Train);
  const FashionMnist test(fashion_mnist_dir(), Split::Test);
  CHECK(train.size() == 60000);
  CHECK(test.size() == 10000);
  CHECK(train.height() == 28);
  CHECK(train.width() == 28);
  CHECK(train.channels() == 1);
  CHECK(train.classes()[9] == "Ankle boot");
  CHECK(label_histogram(train) == std::vector<int64_t>(10, 6000));
  CHECK(label_histogram(test) == std::vector<int64_t>(10, 1000));
  // Image 1 of the test split: bytes 16 + 784 .. 16 + 2*784 of the unzipped file; label at 8 + 1.
  const std::vector<uint8_t> raw = gunzip(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz", 16 + 2 * 784);
  const std::vector<uint8_t> labels = gunzip(fashion_mnist_dir() + "/t10k-labels-idx1-ubyte.gz", 10);
  const Example ex = test.get(1);
  CHECK(ex.image.shape_str() == "28x28x1");
  CHECK(ex.image.pixels == std::vector<uint8_t>(raw.begin() + 16 + 784, raw.end()));
  CHECK(ex.label == labels[9]);
}

TEST_CASE("IDX plain and gzip round trip, MNIST layout found through the flag") {
  const std::string dir = temp_dir("idx-ok") + "/mnist";
  write_gz(dir + "/train-images-idx3-ubyte.gz", idx_file({3, 4, 5}, 60, 1));
  write_gz(dir + "/train-labels-idx1-ubyte.gz", idx_file({3}, 3));
  write_bytes(dir + "/t10k-images-idx3-ubyte", idx_file({2, 4, 5}, 40, 2));
  write_bytes(dir + "/t10k-labels-idx1-ubyte", idx_file({2}, 2, 7));
  const Mnist train(std::filesystem::path(dir).parent_path().string(), Split::Train);  // the parent works too
  CHECK(train.size() == 3);
  CHECK(train.height() == 4);
  CHECK(train.width() == 5);
  CHECK(train.label(2) == 2);
  CHECK(train.get(1).image.at(0, 0, 0) == (1 + 20) % 10);
  const Mnist test(dir, Split::Test);
  CHECK(test.label(1) == 8);
  CHECK(test.get(1).image.at(3, 4, 0) == (2 + 39) % 10);
  const IdxArray raw = read_idx(dir + "/train-images-idx3-ubyte.gz", 3);
  CHECK(raw.dims == std::vector<int64_t>{3, 4, 5});
}

TEST_CASE("IDX bad input: each gives one clear error naming the file") {
  const std::string dir = temp_dir("idx-bad");
  auto expect = [&](const std::vector<uint8_t>& bytes, int64_t dims, const std::string& message, bool gz = false) {
    const std::string path = dir + (gz ? "/f.gz" : "/f");
    if (gz) {
      write_gz(path, bytes);
    } else {
      write_bytes(path, bytes);
    }
    CHECK_THROWS_WITH(read_idx(path, dims), Catch::Contains(message) && Catch::Contains(path));
  };
  CHECK_THROWS_WITH(read_idx(dir + "/absent", 3), Catch::Contains("absent' not found"));
  expect({}, 3, "too short for an IDX header");
  expect({0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1}, 3, "wrong magic number");
  expect(idx_file({2}, 2), 3, "has 1 dimensions, expected 3 (an images file [N, H, W])");
  expect(idx_file({2, 2, 2}, 8), 1, "has 3 dimensions, expected 1 (a labels file [N])");
  expect(idx_header(0x0D, {2, 2, 2}), 3, "data type 0xd; only 0x08");
  expect({0, 0, 8, 3, 0, 0}, 3, "truncated inside its header");
  expect(idx_file({2, 0, 28}, 0), 3, "holds no data");
  // Truncated: a plain file is caught by its size, a compressed one while reading.
  expect(idx_file({3, 4, 5}, 59), 3, "but the file holds 59 (truncated)");
  expect(idx_file({3, 4, 5}, 59), 3, "the file ends after 59", /*gz=*/true);
  expect(idx_file({3, 4, 5}, 61), 3, "(trailing bytes)");
  expect(idx_file({3, 4, 5}, 61), 3, "has trailing bytes", true);
  // Absurd headers are refused before anything is allocated: 10^12 values ...
  expect(idx_header(0x08, {1000000, 1000, 1000}), 3, "more than 8589934592 bytes");
  expect(idx_header(0x08, {1000000, 1000, 1000}), 3, "more than 8589934592 bytes", true);
  // ... and 7.8 GB claimed by a small gzip file ends as truncation without a 7.8 GB buffer.
  expect(idx_file({10000000, 28, 28}, 1000), 3, "the file ends after 1000", true);
  // Corrupt compressed data.
  std::vector<uint8_t> gz_bytes;
  {
    write_gz(dir + "/good.gz", idx_file({50, 28, 28}, 50 * 784));
    gz_bytes = read_bytes(dir + "/good.gz", 0, static_cast<int64_t>(std::filesystem::file_size(dir + "/good.gz")));
    for (size_t i = 30; i < gz_bytes.size(); i += 7) gz_bytes[i] ^= 0x5A;
  }
  write_bytes(dir + "/corrupt.gz", gz_bytes);
  CHECK_THROWS_WITH(read_idx(dir + "/corrupt.gz", 3), Catch::Contains("corrupt gzip data in") &&
                                                          Catch::Contains("corrupt.gz"));
}

TEST_CASE("IDX dataset: images/labels disagree, label out of range, missing file") {
  const std::string dir = temp_dir("idx-pair");
  write_bytes(dir + "/images", idx_file({3, 2, 2}, 12));
  write_bytes(dir + "/labels2", idx_file({2}, 2));
  const IdxDatasetOptions options{.name = "digits", .classes = {"a", "b", "c"}};
  CHECK_THROWS_WITH(IdxDataset(dir + "/images", dir + "/labels2", options),
                    Catch::Contains("holds 3 images but") && Catch::Contains("labels2' holds 2 labels"));
  write_bytes(dir + "/labels", idx_file({3}, 3, 1));  // labels 1, 2, 3: 3 is out of range
  CHECK_THROWS_WITH(IdxDataset(dir + "/images", dir + "/labels", options),
                    Catch::Contains("label 3 of image 2") && Catch::Contains("[0, 3)"));
  CHECK_THROWS_WITH(IdxDataset(dir + "/images", dir + "/nolabels", options), Catch::Contains("nolabels' not found"));
  const std::string mnist_dir = temp_dir("idx-missing");
  write_bytes(mnist_dir + "/train-images-idx3-ubyte", idx_file({1, 2, 2}, 4));
  CHECK_THROWS_WITH(Mnist(mnist_dir, Split::Train),
                    Catch::Contains("missing there: train-labels-idx1-ubyte.gz or train-labels-idx1-ubyte"));
}
