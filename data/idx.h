// data/idx.h — IDX files (the MNIST format) and the MNIST / Fashion-MNIST datasets built on them.
//
// An IDX file: 2 zero bytes, a type byte (0x08 = unsigned byte, the only type read here), the
// number of dimensions, one big-endian uint32 per dimension, then the values. Files may be plain
// or gzip-compressed (zlib reads both). The header is checked before anything is allocated: a
// plain file must hold exactly the bytes its header claims, a compressed one is read chunk by
// chunk and must not end early, and no file may claim more than 8 GiB.
// MNIST / Fashion-MNIST: train-{images-idx3,labels-idx1}-ubyte[.gz] and t10k-..., 28x28 grey.
// Leaves out: the search for the folder (locate.h).
#pragma once

#include "data/in_memory.h"

namespace excite::data {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;
};

// Reads a uint8 IDX file with exactly `expected_dims` dimensions.
IdxArray read_idx(const std::string& path, int64_t expected_dims);

struct IdxDatasetOptions {
  std::string name = "IDX";
  std::vector<std::string> classes = {};  // labels must lie in [0, classes.size())
};

// Images ([N, H, W] uint8) and labels ([N] uint8) from a pair of IDX files.
class IdxDataset : public InMemoryDataset {
 public:
  IdxDataset(const std::string& images_path, const std::string& labels_path, IdxDatasetOptions options);

 protected:
  IdxDataset() = default;
  void load(const std::string& images_path, const std::string& labels_path, IdxDatasetOptions options);
};

class Mnist : public IdxDataset {
 public:
  // root: the data flag; "" searches EXCITE_DATA and the standard places (see locate.h).
  Mnist(const std::string& root, Split split);
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
};

class FashionMnist : public IdxDataset {
 public:
  FashionMnist(const std::string& root, Split split);
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
};

}  // namespace excite::data
