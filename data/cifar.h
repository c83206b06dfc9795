// data/cifar.h — CIFAR-10 and CIFAR-100 in their official binary layout, held in memory as uint8.
//
// CIFAR-10 (cifar-10-batches-bin/): data_batch_1..5.bin (train), test_batch.bin (test), records of
// 1 label byte + 3072 pixel bytes (R, G, B planes of 32x32); class names from batches.meta.txt
// (the standard ten when the file is absent). CIFAR-100 (cifar-100-binary/): train.bin, test.bin,
// records of coarse label, fine label, 3072 pixel bytes; names from fine_label_names.txt /
// coarse_label_names.txt ("class_<i>" when absent). Fine labels by default.
// Checks: missing files, sizes that are not whole records (truncation), labels out of range, each
// an excite::Error naming the file. Leaves out: the search for the folder (locate.h).
#pragma once

#include "data/in_memory.h"

namespace excite::data {

class Cifar10 : public InMemoryDataset {
 public:
  // root: the data flag; "" searches EXCITE_DATA and the standard places (see locate.h).
  Cifar10(const std::string& root, Split split);
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
};

enum class Cifar100Labels { Fine, Coarse };

struct Cifar100Options {
  Cifar100Labels labels = Cifar100Labels::Fine;  // 100 fine classes or 20 coarse superclasses
};

class Cifar100 : public InMemoryDataset {
 public:
  Cifar100(const std::string& root, Split split, Cifar100Options options = {});
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
};

// The record reader both use: appends the records of one .bin file (label bytes first, then the
// CHW 32x32x3 pixels) to pixels (as HWC) and labels. label_offset picks the label byte used.
struct CifarRecordFormat {
  int64_t label_bytes;    // 1 for CIFAR-10, 2 for CIFAR-100
  int64_t label_offset;   // which of the label bytes is the label
  int64_t num_classes;
};
void read_cifar_file(const std::string& path, const CifarRecordFormat& format, std::vector<uint8_t>& pixels,
                     std::vector<int64_t>& labels);

}  // namespace excite::data
