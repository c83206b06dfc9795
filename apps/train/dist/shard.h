// apps/train/dist/shard.h — which part of the data a rank works on.
//
// Training: every rank builds the same global batch (the loader's order and augmentation are
// pure functions of (seed, epoch, batch), see data/loader.h) and keeps rows
// [r N / K, (r + 1) N / K) of it: disjoint, covering, and the same samples with the same
// augmentation as one process would use, so --sync-bn reproduces single-process training. When K
// does not divide N the shares differ by one image; the loss weighting (grad_sync.h) keeps the
// gradient that of the global mean. Cost: each rank runs the augmentation of the whole batch
// (cheap next to the network for the CIFAR/Fashion-MNIST pipelines; see README, Scale-out).
// Test: rank r evaluates the contiguous share r of the test set; the sums are reduced.
// Leaves out: the loader itself.
#pragma once

#include <memory>

#include "apps/train/evaluate.h"
#include "data/batch.h"
#include "data/dataset.h"

namespace excite::dist {

struct Share {
  int64_t begin = 0, end = 0;  // rows of the global batch
  int64_t size() const { return end - begin; }
};
Share share_of(int64_t n, int rank, int size);

// Rows [share.begin, share.end) of a batch (labels and indices too).
data::Batch slice(const data::Batch& b, Share share);

// This rank's rows of a global batch: the batch itself in a group of one, else a slice kept in storage.
const data::Batch& local_share(const data::Batch& global, data::Batch& storage);

// The contiguous share `rank` of `size` of a dataset.
std::shared_ptr<data::Dataset> shard_dataset(std::shared_ptr<data::Dataset> base, int rank, int size);

// Test metrics of every rank's shard combined (weighted by images), on every rank.
apps::EvalResult reduce_eval(const apps::EvalResult& local);

// Sums of an epoch's training metrics over the ranks: loss_sum (images x mean loss), correct, seen.
void reduce_train_metrics(double& loss_sum, int64_t& correct, int64_t& seen);

}  // namespace excite::dist
