// data/idx.cpp — the IDX reader with its header checks, and the MNIST-family datasets.
#include "data/idx.h"

#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "data/file_io.h"
#include "data/locate.h"

namespace excite::data {

namespace fs = std::filesystem;

constexpr int64_t kMaxIdxBytes = int64_t{1} << 33;  // 8 GiB: far above any real IDX file

static std::string dims_str(const std::vector<int64_t>& dims) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < dims.size(); ++i) os << (i ? ", " : "") << dims[i];
  os << "]";
  return os.str();
}

IdxArray read_idx(const std::string& path, int64_t expected_dims) {
  ByteStream in(path, "idx");
  uint8_t magic[4] = {};
  EXCITE_CHECK(in.read(magic, 4) == 4, "idx: '" << path << "' is too short for an IDX header (4 bytes of magic)");
  EXCITE_CHECK(magic[0] == 0 && magic[1] == 0,
               "idx: '" << path << "' is not an IDX file: wrong magic number (first two bytes must be 0)");
  EXCITE_CHECK(magic[2] == 0x08, "idx: '" << path << "' has data type 0x" << std::hex << int(magic[2]) << std::dec
                                          << "; only 0x08 (unsigned byte) is supported");
  EXCITE_CHECK(magic[3] == expected_dims, "idx: '" << path << "' has " << int(magic[3]) << " dimensions, expected "
                                                   << expected_dims
                                                   << (expected_dims == 3 ? " (an images file [N, H, W])"
                                                                          : " (a labels file [N])"));
  IdxArray array;
  int64_t total = 1;
  for (int64_t d = 0; d < expected_dims; ++d) {
    uint8_t be[4] = {};
    EXCITE_CHECK(in.read(be, 4) == 4, "idx: '" << path << "' is truncated inside its header");
    const int64_t size = (int64_t{be[0]} << 24) | (int64_t{be[1]} << 16) | (int64_t{be[2]} << 8) | be[3];
    array.dims.push_back(size);
    // Checked by division before multiplying, so the product never overflows.
    EXCITE_CHECK(size == 0 || total <= kMaxIdxBytes / size, "idx: '" << path << "' header claims dimensions starting "
                                                 << dims_str(array.dims) << ", more than " << kMaxIdxBytes
                                                 << " bytes of data; the header is corrupt");
    total *= size;
  }
  EXCITE_CHECK(total > 0, "idx: '" << path << "' holds no data (dimensions " << dims_str(array.dims)
                                   << "): empty dataset");
  const int64_t header = 4 + 4 * expected_dims;
  if (!in.compressed()) {
    const int64_t size = file_size(path, "idx");
    EXCITE_CHECK(size - header == total, "idx: '" << path << "' header claims " << dims_str(array.dims) << " = "
                                                  << total << " bytes of data but the file holds " << size - header
                                                  << (size - header < total ? " (truncated)" : " (trailing bytes)"));
  }
  const int64_t got = in.append(array.values, total);
  EXCITE_CHECK(got == total, "idx: '" << path << "' is truncated: header claims " << dims_str(array.dims) << " = "
                                      << total << " bytes of data, the file ends after " << got);
  uint8_t extra = 0;
  EXCITE_CHECK(in.read(&extra, 1) == 0, "idx: '" << path << "' has trailing bytes after the " << total
                                                 << " bytes its header " << dims_str(array.dims) << " claims");
  return array;
}

IdxDataset::IdxDataset(const std::string& images_path, const std::string& labels_path, IdxDatasetOptions options) {
  load(images_path, labels_path, std::move(options));
}

void IdxDataset::load(const std::string& images_path, const std::string& labels_path, IdxDatasetOptions options) {
  IdxArray images = read_idx(images_path, 3);
  const IdxArray labels = read_idx(labels_path, 1);
  EXCITE_CHECK(images.dims[0] == labels.dims[0], options.name << ": '" << images_path << "' holds " << images.dims[0]
                                                              << " images but '" << labels_path << "' holds "
                                                              << labels.dims[0] << " labels");
  const int64_t k = static_cast<int64_t>(options.classes.size());
  std::vector<int64_t> label_values(labels.values.size());
  for (size_t i = 0; i < labels.values.size(); ++i) {
    EXCITE_CHECK(labels.values[i] < k, options.name << ": label " << int(labels.values[i]) << " of image " << i
                                                    << " in '" << labels_path << "' is out of range [0, " << k << ")");
    label_values[i] = labels.values[i];
  }
  init({.name = options.name,
        .height = images.dims[1],
        .width = images.dims[2],
        .channels = 1,
        .classes = std::move(options.classes),
        .origin = fs::path(images_path).parent_path().string()},
       std::move(images.values), std::move(label_values));
}

// root/<stem> or root/<stem>.gz, whichever exists (plain first).
static std::string idx_path(const std::string& root, const std::string& stem) {
  const fs::path plain = fs::path(root) / stem;
  std::error_code ec;
  return fs::exists(plain, ec) ? plain.string() : plain.string() + ".gz";
}

static std::pair<std::string, std::string> idx_pair(const std::string& root, Split split) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  return {idx_path(root, prefix + "-images-idx3-ubyte"), idx_path(root, prefix + "-labels-idx1-ubyte")};
}

Mnist::Mnist(const std::string& root, Split split) : folder_(locate_mnist(root)) {
  const auto [images, labels] = idx_pair(folder_, split);
  load(images, labels,
       {.name = std::string("MNIST ") + split_name(split),
        .classes = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}});
}

FashionMnist::FashionMnist(const std::string& root, Split split) : folder_(locate_fashion_mnist(root)) {
  const auto [images, labels] = idx_pair(folder_, split);
  load(images, labels,
       {.name = std::string("Fashion-MNIST ") + split_name(split),
        .classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                    "Ankle boot"}});
}

}  // namespace excite::data
