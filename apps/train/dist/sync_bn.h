// apps/train/dist/sync_bn.h — --sync-bn: installs the batch-norm reducer (autograd/batchnorm_sync.h)
// as an MPI sum for the lifetime of a SyncBnScope; nothing in a group of one.
#pragma once

namespace excite::dist {

class SyncBnScope {
 public:
  explicit SyncBnScope(bool enabled);
  ~SyncBnScope();
  SyncBnScope(const SyncBnScope&) = delete;
  SyncBnScope& operator=(const SyncBnScope&) = delete;
  bool active() const { return active_; }

 private:
  bool active_ = false;
};

}  // namespace excite::dist
