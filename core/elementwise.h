// core/elementwise.h — the loops behind the element-wise ops: out[i] = f(a[i]) or f(a[i], b[i]),
// split over the OpenMP pool in contiguous chunks when the tensor is large enough to pay for it
// (below ~32k elements one thread is faster than waking two). Results do not depend on the thread
// count: every element is computed by the same scalar expression.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/parallel.h"

namespace excite {

inline constexpr int64_t kElementwiseChunk = 16384;

template <typename F>
void map_unary(const float* a, float* out, int64_t n, F f) {
  const int64_t chunks = (n + kElementwiseChunk - 1) / kElementwiseChunk;
  parallel_for(chunks, [&](int64_t c) {
    const int64_t lo = c * kElementwiseChunk, hi = std::min(n, lo + kElementwiseChunk);
    for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i]);
  }, 2);
}

template <typename F>
void map_binary(const float* a, const float* b, float* out, int64_t n, F f) {
  const int64_t chunks = (n + kElementwiseChunk - 1) / kElementwiseChunk;
  parallel_for(chunks, [&](int64_t c) {
    const int64_t lo = c * kElementwiseChunk, hi = std::min(n, lo + kElementwiseChunk);
    for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i], b[i]);
  }, 2);
}

}  // namespace excite
