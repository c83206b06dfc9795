// apps/train/dist/sync_bn.cpp — the reducer: MPI sum of the per-channel double sums.
#include "apps/train/dist/sync_bn.h"

#include "apps/train/dist/communicator.h"
#include "autograd/batchnorm_sync.h"

namespace excite::dist {

SyncBnScope::SyncBnScope(bool enabled) : active_(enabled && distributed()) {
  if (active_) set_batchnorm_reducer([](double* values, int64_t n) { allreduce_sum(values, n); });
}

SyncBnScope::~SyncBnScope() {
  if (active_) set_batchnorm_reducer({});
}

}  // namespace excite::dist
