#include "core/kernels/op_timer.h"

namespace excite {

namespace op_timer_detail {
std::atomic<bool> enabled{false};
std::atomic<int64_t> totals_ns[static_cast<int>(OpKind::Count)]{};
}  // namespace op_timer_detail

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::ConvForward: return "conv_forward";
    case OpKind::ConvBackward: return "conv_backward";
    case OpKind::BatchNorm: return "batchnorm";
    case OpKind::SE: return "se";
    case OpKind::Elementwise: return "elementwise";
    case OpKind::Pooling: return "pooling";
    case OpKind::Loss: return "loss";
    case OpKind::Optimizer: return "optimizer";
    case OpKind::Linear: return "linear";
    case OpKind::Count: break;
  }
  return "?";
}

void set_op_timing(bool on) { op_timer_detail::enabled.store(on, std::memory_order_relaxed); }

void reset_op_times() {
  for (auto& t : op_timer_detail::totals_ns) t.store(0, std::memory_order_relaxed);
}

double op_time_seconds(OpKind k) {
  return static_cast<double>(op_timer_detail::totals_ns[static_cast<int>(k)].load(std::memory_order_relaxed)) * 1e-9;
}

}  // namespace excite
