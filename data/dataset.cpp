// data/dataset.cpp — the few shared helpers of the Dataset interface.
#include "data/dataset.h"

#include "core/error.h"

namespace excite::data {

const char* split_name(Split split) { return split == Split::Train ? "train" : "test"; }

void Dataset::check_index(int64_t index, const char* dataset_name) const {
  EXCITE_CHECK(index >= 0 && index < size(),
               dataset_name << ": index " << index << " out of range for a dataset of " << size() << " images");
}

std::vector<int64_t> label_histogram(const Dataset& dataset) {
  std::vector<int64_t> counts(static_cast<size_t>(dataset.num_classes()), 0);
  for (int64_t i = 0; i < dataset.size(); ++i) ++counts[static_cast<size_t>(dataset.label(i))];
  return counts;
}

}  // namespace excite::data
