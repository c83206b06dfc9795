// core/parallel.h — the project's one parallel loop, on the OpenMP pool that OpenBLAS shares.
//
// parallel_for(n, fn) calls fn(i) for i in [0, n), split statically over the threads (so which
// thread gets which i is fixed for a given thread count: results are reproducible). Runs
// serially when n is small or when already inside a parallel region. Never call gemm() with
// many threads from inside: there OpenBLAS falls back to one thread on its own.
#pragma once

#include <cstdint>

namespace excite {

template <typename Fn>
void parallel_for(int64_t n, Fn&& fn, int64_t min_per_thread = 1) {
  if (n <= min_per_thread) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) fn(i);
}

}  // namespace excite
