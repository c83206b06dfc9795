// core/kernels/fma_peak.cpp — the register-only multiply-add loop (see fma_peak.h), one source
// over Highway for every target.
#include "core/kernels/fma_peak.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels/fma_peak.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target
#include <hwy/highway.h>

#include "core/kernels/simd_registers-inl.h"

#include <omp.h>
#include <time.h>

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

constexpr int kChains = 3 * excite::HWY_NAMESPACE::kVectorRegisters / 4;  // 24 of 32 registers, 12 of 16

// `iters` rounds of kChains independent a*x+b chains; returns the multiply-adds done (per lane
// times lanes) and a checksum the compiler cannot drop.
double FmaLoop(int64_t iters, float* checksum) {
  const hn::ScalableTag<float> d;
  hn::Vec<decltype(d)> acc[kChains];
#pragma GCC unroll 32
  for (int j = 0; j < kChains; ++j) acc[j] = hn::Set(d, 1.f + 0.001f * static_cast<float>(j));
  const auto a = hn::Set(d, 0.999999f), b = hn::Set(d, 1e-6f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 32  // (must unroll completely: the chains live in registers, not memory)
    for (int j = 0; j < kChains; ++j) acc[j] = hn::MulAdd(acc[j], a, b);
  }
  auto sum = acc[0];
#pragma GCC unroll 32
  for (int j = 1; j < kChains; ++j) sum = hn::Add(sum, acc[j]);
  *checksum = hn::GetLane(hn::SumOfLanes(d, sum));
  return static_cast<double>(iters) * kChains * static_cast<double>(hn::Lanes(d));
}

}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "core/kernels/isa.h"

namespace excite {

HWY_EXPORT(FmaLoop);

namespace {

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

// Each thread's rate is its multiply-adds over its own CPU time, so that a loaded machine (other
// processes taking time slices) still measures what its cores can do; on an idle machine that is
// the wall-time rate. The threads run at once, so shared limits (power, clocks) count.
double fma_peak_gflops(int threads) {
  isa_init();
  threads = std::max(threads, 1);
  auto loop = HWY_DYNAMIC_DISPATCH(FmaLoop);
  // Calibrate to ~0.1 s of one thread's loop, then time all threads together, best of 3.
  float sink = 0.f;
  int64_t iters = 1 << 16;
  for (;;) {
    const double t0 = thread_seconds();
    loop(iters, &sink);
    const double s = thread_seconds() - t0;
    if (s > 0.02 || iters > (int64_t{1} << 40)) {
      iters = static_cast<int64_t>(static_cast<double>(iters) * 0.1 / std::max(s, 1e-9));
      break;
    }
    iters *= 4;
  }
  double best = 0.0;
  for (int run = 0; run < 3; ++run) {
    double gflops = 0.0, checks = 0.0;
#pragma omp parallel num_threads(threads) reduction(+ : gflops, checks)
    {
      float local = 0.f;
      const double t0 = thread_seconds();
      const double madds = loop(iters, &local);
      gflops += 2.0 * madds / std::max(thread_seconds() - t0, 1e-9) * 1e-9;
      checks += local;
    }
    sink += static_cast<float>(checks);
    best = std::max(best, gflops);
  }
  return best + 0.0 * static_cast<double>(sink);
}

}  // namespace excite
#endif  // HWY_ONCE
