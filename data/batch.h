// data/batch.h — Batch, and collate: turning a list of dataset indices into one Batch.
//
// collate gets each sample from the dataset, runs the whole pipeline on it with the one
// generator of the batch (samples in order, so the result depends only on the indices and that
// generator), checks that every sample ends at the same size, and writes its normalised floats
// into one [N, C, H, W] tensor. Leaves out: order, threads and epochs (loader.h).
#pragma once

#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"
#include "data/pipeline.h"

namespace excite::data {

struct Batch {
  Tensor images;                 // [N, C, H, W] float
  std::vector<int64_t> labels;   // [N]
  std::vector<int64_t> indices;  // dataset index of each sample
  int64_t index = 0;             // position of this batch within its epoch
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

Batch collate(const Dataset& dataset, const Pipeline& transforms, const std::vector<int64_t>& indices, Generator& gen);

}  // namespace excite::data
