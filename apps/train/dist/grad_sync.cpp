// apps/train/dist/grad_sync.cpp — bucketed gradient allreduce and rank-0 broadcasts.
#include "apps/train/dist/grad_sync.h"

#include <algorithm>
#include <cstring>

#include "apps/train/dist/communicator.h"

namespace excite::dist {

GradSync::GradSync(std::vector<Variable> params, GradSyncOptions options)
    : params_(std::move(params)), options_(options) {
  std::reverse(params_.begin(), params_.end());
}

void GradSync::allreduce() {
  buckets_ = 0;
  if (!distributed()) return;
  const int64_t cap = std::max<int64_t>(1, options_.bucket_bytes / static_cast<int64_t>(sizeof(float)));
  // Bucket b holds params_[first[b], first[b + 1]).
  std::vector<size_t> first{0};
  std::vector<int64_t> filled;
  PendingSums pending;
  int64_t used = 0;
  auto close = [&](size_t end) {
    if (used == 0) return;
    pending.start(buffers_[filled.size()].data(), used);
    filled.push_back(used);
    first.push_back(end);
    used = 0;
  };
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& g = params_[i].grad();
    if (!g.defined()) continue;
    if (used > 0 && used + g.numel() > cap) close(i);
    if (filled.size() >= buffers_.size()) buffers_.emplace_back();
    std::vector<float>& buf = buffers_[filled.size()];
    if (static_cast<int64_t>(buf.size()) < used + g.numel()) buf.resize(static_cast<size_t>(std::max(cap, used + g.numel())));
    std::memcpy(buf.data() + used, g.data(), static_cast<size_t>(g.numel()) * sizeof(float));
    used += g.numel();
  }
  close(params_.size());
  pending.wait_all();
  for (size_t b = 0; b < filled.size(); ++b) {
    int64_t at = 0;
    for (size_t i = first[b]; i < first[b + 1]; ++i) {
      Tensor& g = params_[i].grad();
      if (!g.defined()) continue;
      // A fresh tensor: the gradient may share storage with another variable's (see engine.cpp).
      Tensor summed(g.shape());
      std::memcpy(summed.data(), buffers_[b].data() + at, static_cast<size_t>(g.numel()) * sizeof(float));
      g = std::move(summed);
      at += g.numel();
    }
  }
  buckets_ = static_cast<int64_t>(filled.size());
}

void broadcast_module(layers::Module& model) {
  if (!distributed()) return;
  for (Variable& p : model.parameters()) broadcast(p.data().data(), p.data().numel() * 4, 0);
  broadcast_buffers(model);
}

void broadcast_buffers(layers::Module& model) {
  if (!distributed()) return;
  for (layers::NamedBuffer& b : model.named_buffers()) broadcast(b.value.data(), b.value.numel() * 4, 0);
}

}  // namespace excite::dist
