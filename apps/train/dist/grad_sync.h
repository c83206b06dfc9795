// apps/train/dist/grad_sync.h — summing parameter gradients over the ranks of a data-parallel run.
//
// After backward, GradSync::allreduce() packs the gradients into buckets of about
// `bucket_bytes`, walking the parameters in reverse order (the order backward produces them:
// the last layer's first), and starts a non-blocking MPI_Iallreduce on each bucket as soon as
// it is full, packing the next one while earlier buckets are on the wire; then it waits for all
// and unpacks. The engine (autograd/engine.cpp) has no per-gradient hook, so the buckets start
// after backward rather than during it (see the README, Scale-out).
// The caller scales each rank's loss by n_local / N_global before backward, so the sum is the
// gradient of the mean loss over the global batch, uneven shares included.
// Also here: making every rank's weights and buffers equal to rank 0's (broadcast).
// Leaves out: the transport (communicator.h).
#pragma once

#include <vector>

#include "autograd/variable.h"
#include "layers/module.h"

namespace excite::dist {

struct GradSyncOptions {
  int64_t bucket_bytes = int64_t{4} << 20;
};

class GradSync {
 public:
  GradSync(std::vector<Variable> params, GradSyncOptions options = {});
  // Sums every defined .grad over the ranks, in place. A parameter without a gradient on this
  // rank has none on any (the same model, the same graph) and is skipped.
  void allreduce();
  int64_t buckets_last_step() const { return buckets_; }

 private:
  std::vector<Variable> params_;  // reverse of the model's order
  GradSyncOptions options_;
  std::vector<std::vector<float>> buffers_;
  int64_t buckets_ = 0;
};

// Rank 0's parameters and buffers (BN running statistics) copied to every rank.
void broadcast_module(layers::Module& model);
// Rank 0's buffers only (BN running statistics, which without --sync-bn drift apart per rank).
void broadcast_buffers(layers::Module& model);

}  // namespace excite::dist
