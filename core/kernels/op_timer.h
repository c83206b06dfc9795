// core/kernels/op_timer.h — an opt-in registry of where a step's time goes, by op kind.
//
// Off by default. When off, a ScopedOpTimer costs one relaxed atomic load and a branch. When on
// (`excite bench` turns it on for its breakdown), each timed region adds its wall time to its
// kind's total. Ops time themselves: the forward in the op function, the backward in its closure.
// The SE module marks its forward with an OpKindOverride, so the small ops it is made of (global
// pool, linear, relu, sigmoid, channel_scale) count as "se"; an op stores the kind it saw in the
// forward and charges its backward to the same kind. Timers do not nest (an op calls kernels,
// never another timed op), so the totals add up; what they leave out of a step is the engine's
// bookkeeping, gradient accumulation and allocation (`excite bench` reports it as "other" = step
// time - sum).
// Wall time on the calling thread; a parallel region inside is counted once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace excite {

enum class OpKind : int {
  ConvForward, ConvBackward, BatchNorm, SE, Elementwise, Pooling, Loss, Optimizer, Linear, Count
};
const char* op_kind_name(OpKind k);  // "conv_forward", "conv_backward", "batchnorm", "se", ...

namespace op_timer_detail {
extern std::atomic<bool> enabled;
extern std::atomic<int64_t> totals_ns[static_cast<int>(OpKind::Count)];
// -1: none. Defined here (inline, constant-initialised) rather than `extern`: for an extern
// thread_local, gcc 12 with -fsanitize=undefined reuses the flags of its "is there a TLS init
// function" test as the null check of the variable's address, a false "store to null pointer"
// in every SE forward under scripts/sanitize.sh.
inline thread_local int override_kind = -1;
}  // namespace op_timer_detail

inline bool op_timing_enabled() { return op_timer_detail::enabled.load(std::memory_order_relaxed); }
void set_op_timing(bool on);
void reset_op_times();
double op_time_seconds(OpKind k);

// The kind an op should charge: the innermost OpKindOverride's, else the op's own.
inline OpKind op_kind_or_override(OpKind own) {
  const int o = op_timer_detail::override_kind;
  return o >= 0 ? static_cast<OpKind>(o) : own;
}

// While alive (on this thread), ops charge `kind` instead of their own.
class OpKindOverride {
 public:
  explicit OpKindOverride(OpKind kind) : previous_(op_timer_detail::override_kind) {
    op_timer_detail::override_kind = static_cast<int>(kind);
  }
  ~OpKindOverride() { op_timer_detail::override_kind = previous_; }
  OpKindOverride(const OpKindOverride&) = delete;
  OpKindOverride& operator=(const OpKindOverride&) = delete;

 private:
  int previous_;
};

class ScopedOpTimer {
 public:
  explicit ScopedOpTimer(OpKind kind) : kind_(kind), on_(op_timing_enabled()) {
    if (on_) start_ = std::chrono::steady_clock::now();
  }
  ~ScopedOpTimer() {
    if (!on_) return;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_);
    op_timer_detail::totals_ns[static_cast<int>(kind_)].fetch_add(ns.count(), std::memory_order_relaxed);
  }
  ScopedOpTimer(const ScopedOpTimer&) = delete;
  ScopedOpTimer& operator=(const ScopedOpTimer&) = delete;

 private:
  OpKind kind_;
  bool on_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace excite
