// CIFAR-10 on the real files (counts, label histogram, pixels at the documented byte offsets) and
// CIFAR-10/100 on small synthetic files, including every kind of broken input.
#include <catch2/catch.hpp>

#include "data/cifar.h"
#include "data_files.h"

using namespace excite;
using namespace excite::data;
using namespace excite::testing;

TEST_CASE("CIFAR-10 real files: counts, histogram, record pixels at known offsets") {
  EXCITE_REQUIRE_DATA(cifar10_dir());
  const Cifar10 train(cifar10_dir(), Split::Train);
  const Cifar10 test(cifar10_dir(), Split::Test);
  CHECK(train.size() == 50000);
  CHECK(test.size() == 10000);
  CHECK(train.channels() == 3);
  CHECK(train.height() == 32);
  CHECK(train.width() == 32);
  REQUIRE(train.classes().size() == 10);
  CHECK(train.classes()[0] == "airplane");
  CHECK(train.classes()[9] == "truck");
  CHECK(label_histogram(train) == std::vector<int64_t>(10, 5000));
  CHECK(label_histogram(test) == std::vector<int64_t>(10, 1000));

  // Record k of the train split is record k % 10000 of data_batch_(k / 10000 + 1).bin; pixel (x, y)
  // of channel c is at byte k*3073 + 1 + c*1024 + y*32 + x of that file, the label at k*3073.
  for (int64_t k : {int64_t{0}, int64_t{12345}, int64_t{49999}}) {
    const std::string file = cifar10_dir() + "/data_batch_" + std::to_string(k / 10000 + 1) + ".bin";
    const std::vector<uint8_t> record = read_bytes(file, (k % 10000) * 3073, 3073);
    const Example ex = train.get(k);
    CHECK(ex.label == record[0]);
    CHECK(train.label(k) == record[0]);
    REQUIRE(ex.image.shape_str() == "32x32x3");
    int64_t mismatches = 0;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < 32; ++y)
        for (int64_t x = 0; x < 32; ++x) mismatches += ex.image.at(y, x, c) != record[1 + c * 1024 + y * 32 + x];
    CHECK(mismatches == 0);
  }
  const std::vector<uint8_t> last = read_bytes(cifar10_dir() + "/test_batch.bin", 9999 * 3073, 3073);
  CHECK(test.get(9999).image.at(31, 31, 2) == last[1 + 2 * 1024 + 31 * 32 + 31]);
  CHECK_THROWS_WITH(train.get(50000), Catch::Contains("index 50000 out of range"));
}

namespace {

// A record: label byte(s), then CHW pixels where value = (seed + c*7 + y*3 + x) % 256.
std::vector<uint8_t> cifar_records(int64_t n, std::vector<uint8_t> labels_per_record, int seed) {
  std::vector<uint8_t> bytes;
  for (int64_t k = 0; k < n; ++k) {
    for (uint8_t l : labels_per_record) bytes.push_back(l);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) bytes.push_back(static_cast<uint8_t>((seed + k + c * 7 + y * 3 + x) % 256));
  }
  return bytes;
}

std::string write_cifar10(const std::string& tag) {
  const std::string dir = temp_dir(tag) + "/cifar-10-batches-bin";
  for (int b = 1; b <= 5; ++b) write_bytes(dir + "/data_batch_" + std::to_string(b) + ".bin", cifar_records(3, {uint8_t(b)}, b));
  write_bytes(dir + "/test_batch.bin", cifar_records(2, {9}, 0));
  return dir;
}

}  // namespace

TEST_CASE("CIFAR-10 synthetic files: layout, CHW->HWC, meta names optional") {
  const std::string dir = write_cifar10("cifar-ok");
  const Cifar10 train(dir, Split::Train);
  CHECK(train.size() == 15);
  CHECK(train.label(0) == 1);
  CHECK(train.label(14) == 5);
  const Image image = train.get(4).image;  // record 1 of batch 2: seed 2, k 1
  CHECK(image.at(5, 6, 2) == (2 + 1 + 14 + 15 + 6) % 256);
  CHECK(train.classes()[3] == "cat");  // built-in names without batches.meta.txt
  CHECK(Cifar10(dir, Split::Test).size() == 2);
  // The parent folder works as the flag too (sub-folder cifar-10-batches-bin).
  CHECK(Cifar10(std::filesystem::path(dir).parent_path().string(), Split::Test).size() == 2);

  write_bytes(dir + "/batches.meta.txt", {'a', '\n', 'b', '\n'});
  CHECK_THROWS_WITH(Cifar10(dir, Split::Test), Catch::Contains("batches.meta.txt' lists 2 class names, expected 10"));
}

TEST_CASE("CIFAR-10 bad input: missing file, truncated, empty, label out of range") {
  SECTION("missing file") {
    const std::string dir = write_cifar10("cifar-missing");
    std::filesystem::remove(dir + "/data_batch_5.bin");
    CHECK_THROWS_WITH(Cifar10(dir, Split::Train),
                      Catch::Contains("missing there: data_batch_5.bin") && Catch::Contains("cifar-10-binary.tar.gz"));
  }
  SECTION("truncated record") {
    const std::string dir = write_cifar10("cifar-trunc");
    auto bytes = cifar_records(3, {1}, 0);
    bytes.resize(bytes.size() - 100);
    write_bytes(dir + "/data_batch_3.bin", bytes);
    CHECK_THROWS_WITH(Cifar10(dir, Split::Train), Catch::Contains("data_batch_3.bin' is truncated") &&
                                                      Catch::Contains("2 whole records of 3073 bytes plus 2973"));
  }
  SECTION("empty file") {
    const std::string dir = write_cifar10("cifar-empty");
    write_bytes(dir + "/test_batch.bin", {});
    CHECK_THROWS_WITH(Cifar10(dir, Split::Test), Catch::Contains("test_batch.bin' is empty"));
  }
  SECTION("label out of range") {
    const std::string dir = write_cifar10("cifar-label");
    auto bytes = cifar_records(3, {1}, 0);
    bytes[3073] = 10;
    write_bytes(dir + "/data_batch_2.bin", bytes);
    CHECK_THROWS_WITH(Cifar10(dir, Split::Train),
                      Catch::Contains("label 10 of record 1 (byte offset 3073)") && Catch::Contains("data_batch_2.bin"));
  }
}

TEST_CASE("CIFAR-100: fine labels by default, coarse on request, names, range checks") {
  const std::string dir = temp_dir("cifar100") + "/cifar-100-binary";
  write_bytes(dir + "/train.bin", cifar_records(4, {19, 99}, 0));
  write_bytes(dir + "/test.bin", cifar_records(1, {3, 42}, 0));
  const Cifar100 fine(dir, Split::Train);
  CHECK(fine.size() == 4);
  CHECK(fine.num_classes() == 100);
  CHECK(fine.label(2) == 99);
  CHECK(fine.classes()[99] == "class_99");
  const Cifar100 coarse(dir, Split::Test, {.labels = Cifar100Labels::Coarse});
  CHECK(coarse.num_classes() == 20);
  CHECK(coarse.label(0) == 3);
  CHECK(coarse.get(0).image.at(0, 1, 0) == 1);

  std::vector<uint8_t> names;
  for (int i = 0; i < 20; ++i) {
    const std::string line = "super" + std::to_string(i) + "\n";
    names.insert(names.end(), line.begin(), line.end());
  }
  write_bytes(dir + "/coarse_label_names.txt", names);
  CHECK(Cifar100(dir, Split::Test, {.labels = Cifar100Labels::Coarse}).classes()[19] == "super19");

  write_bytes(dir + "/test.bin", cifar_records(1, {20, 42}, 0));
  CHECK_THROWS_WITH(Cifar100(dir, Split::Test, {.labels = Cifar100Labels::Coarse}),
                    Catch::Contains("label 20 of record 0") && Catch::Contains("[0, 20)"));
  write_bytes(dir + "/test.bin", cifar_records(1, {3, 100}, 0));
  CHECK_THROWS_WITH(Cifar100(dir, Split::Test), Catch::Contains("label 100 of record 0"));
  write_bytes(dir + "/test.bin", cifar_records(2, {3}, 0));  // CIFAR-10 records: 1 byte shorter
  CHECK_THROWS_WITH(Cifar100(dir, Split::Test), Catch::Contains("not a CIFAR file"));
}
