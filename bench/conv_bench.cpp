// bench/conv_bench.cpp — convolution speed on SE-ResNet-20's CIFAR shapes, next to plain sgemm.
//
// For each conv of the network at batch N (default 128): forward, backward to the input,
// backward to the weight and the whole backward, each in GFLOP/s (2 * multiply-adds / time of
// the fastest of R runs: on a shared machine the fastest run is the one least disturbed), beside one plain sgemm of the same M = OC, N = N*OH*OW, K = C*KH*KW (the im2col
// product: the bar a gemm-based conv cannot pass without a better gemm). The conv columns are the
// dispatching entry points (the direct kernel for stride-1 "same" 3x3 convs); "i2c" columns are
// the im2col + per-sample sgemm path on its own, and "bat" the design it was chosen over: one
// batched im2col [K, 32*OH*OW] + one threaded sgemm + a transpose back to NCHW.
//
// Usage: bench_conv_bench [threads...] [--batch N] [--reps R] [--cpu] [--fast-only] [--layer I] [--fmnist] [--tile]
//   (default: threads 1 2, N 128; --fast-only: only the dispatching entry points' columns;
//   --layer I: only the I-th layer of the table; --fmnist: SE-ResNet-8's shapes on 1x28x28, the
//   default model, instead of SE-ResNet-20's on 3x32x32; --tile: only the forward register tile,
//   its input in L1: see tile_ceiling). EXCITE_ISA picks the kernels' instruction set.
// --cpu times process CPU time instead of wall time: GFLOP per CPU-second, i.e. per core. On a
// shared, busy machine that is the steadier measure of a kernel; wall time is what training sees.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/blas.h"
#include "core/kernels/conv.h"
#include "core/kernels/conv_tiles.h"
#include "core/kernels/fma_peak.h"
#include "core/kernels/isa.h"
#include "core/parallel.h"
#include "core/tensor.h"

using namespace excite;

namespace {

bool g_cpu_time = false;

double now_seconds() {
  if (g_cpu_time) {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename F>
double best_seconds(F&& f, int reps) {
  f();  // warm-up: scratch buffers, page faults, thread pool
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double a = now_seconds();
    f();
    t.push_back(now_seconds() - a);
  }
  return *std::min_element(t.begin(), t.end());
}

// The alternative forward: im2col of `chunk` samples side by side into one [Kg, chunk*P] matrix,
// one sgemm with all threads, then scatter [OC, chunk, P] back into NCHW. groups = 1 only.
void conv_forward_batched(const float* x, const float* w, float* y, const ConvGeometry& g, int64_t chunk,
                          std::vector<float>& col, std::vector<float>& out) {
  const int64_t P = g.OH() * g.OW(), K = g.col_rows();
  col.resize(static_cast<size_t>(K * chunk * P));
  out.resize(static_cast<size_t>(g.OC * chunk * P));
  std::vector<float> one(static_cast<size_t>(K * P));
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t nb = std::min(chunk, g.N - n0), cols = nb * P;
    parallel_for(nb, [&](int64_t i) {
      thread_local std::vector<float> tmp;
      tmp.resize(static_cast<size_t>(K * P));
      im2col(x + (n0 + i) * g.C * g.H * g.W, g, tmp.data());
      for (int64_t k = 0; k < K; ++k) std::memcpy(&col[k * cols + i * P], &tmp[k * P], sizeof(float) * P);
    });
    gemm(false, false, g.OC, cols, K, 1.f, w, K, col.data(), cols, 0.f, out.data(), cols);
    parallel_for(nb, [&](int64_t i) {
      for (int64_t oc = 0; oc < g.OC; ++oc)
        std::memcpy(y + ((n0 + i) * g.OC + oc) * P, &out[oc * cols + i * P], sizeof(float) * P);
    });
  }
}

struct Layer {
  const char* name;
  ConvGeometry g;
};

// --tile: the direct kernels' forward register tile alone, on 16 input channels x 9 taps whose
// input stays in L1 (one tile of positions computed over and over, no staging, no stores to
// memory that matter): the ceiling of the stride-1 3x3 convolutions on this core for the tile
// shapes the running target picks, next to the FMA peak (1 thread).
void tile_ceiling(int reps) {
  const int64_t lanes = conv_tiles::lanes(), Cin = 16, W = 32;
  const double peak = fma_peak_gflops(1);
  for (int64_t vectors : {3, 4}) {
    const int64_t P = vectors * lanes, S = P + 2 * W + 2 * conv_tiles::kSlack;
    const conv_tiles::TileShape shape = conv_tiles::forward_tile_shape(P);
    const int64_t Cout = 2 * shape.rows;
    std::vector<float> x(static_cast<size_t>(Cin * S), 0.5f), wp(static_cast<size_t>(Cout * Cin * 9), 0.01f),
        y(static_cast<size_t>(Cout * P));
    std::vector<int64_t> off;
    for (int64_t kh = 0; kh < 3; ++kh)
      for (int64_t kw = 0; kw < 3; ++kw) off.push_back(kh * W + kw);
    const conv_tiles::TapInput in{.x = x.data(), .channels = Cin, .in_stride = S, .off = off.data(), .taps = 9};
    const int calls = 20000;
    const double t = best_seconds(
        [&] {
          for (int i = 0; i < calls; ++i) conv_tiles::forward_positions(in, wp.data(), Cout, nullptr, y.data(), P, 0, P);
        },
        reps);
    const double gflops = 2.0 * static_cast<double>(Cout * Cin * 9 * P) * calls / t / 1e9;
    std::printf("forward tile %d x %d (%lld positions, %lld -> %lld channels, 3x3, input in L1): %.1f GFLOP/s = %.0f %% "
                "of the FMA peak (%.1f)\n",
                shape.rows, shape.vectors, static_cast<long long>(P), static_cast<long long>(Cin),
                static_cast<long long>(Cout), gflops, 100.0 * gflops / peak, peak);
  }
}

}  // namespace

constexpr const char* kUsage =
    "usage: bench_conv_bench [threads...] [--batch N] [--reps R] [--cpu] [--fast-only] [--layer I] [--fmnist] [--tile]\n";

// The whole number in [lo, hi] an argument spells, or lo - 1 if it spells none (so "--reps x"
// or "--batch 0" is refused, not read as 0).
long whole_number(const char* s, long lo, long hi) {
  char* end = nullptr;
  const long n = std::strtol(s, &end, 10);
  return *s != '\0' && *end == '\0' && n >= lo && n <= hi ? n : lo - 1;
}

int main(int argc, char** argv) {
  std::vector<int> threads;
  int64_t batch = 128;
  int reps = 9;
  bool fast_only = false, fmnist = false, tile = false;
  int only_layer = -1;
  auto value = [&](int& i, long lo, long hi) {
    const char* flag = argv[i];
    const long n = i + 1 < argc ? whole_number(argv[++i], lo, hi) : lo - 1;
    if (n < lo) {
      std::fprintf(stderr, "bench_conv_bench: %s takes a whole number from %ld to %ld\n%s", flag, lo, hi, kUsage);
      std::exit(2);
    }
    return n;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--batch") {
      batch = value(i, 1, 1 << 20);
    } else if (a == "--cpu") {
      g_cpu_time = true;
    } else if (a == "--fmnist") {
      fmnist = true;
    } else if (a == "--tile") {
      tile = true;
    } else if (a == "--fast-only") {
      fast_only = true;
    } else if (a == "--layer") {
      only_layer = static_cast<int>(value(i, 0, 1000));
    } else if (a == "--reps") {
      reps = static_cast<int>(value(i, 1, 1000000));
    } else if (a == "-h" || a == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else if (const long n = whole_number(argv[i], 1, 4096); n >= 1) {
      threads.push_back(static_cast<int>(n));
    } else {
      std::fprintf(stderr, "bench_conv_bench: '%s' is not a thread count (1-4096) or an option\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (tile) {
    set_num_threads(1);
    std::printf("kernels: %s (EXCITE_ISA forces one), 1 thread, best of %d runs\n", isa_name().c_str(), reps);
    tile_ceiling(reps);
    return 0;
  }
  if (threads.empty()) threads = {1, 2};

  auto conv3 = [&](int64_t c, int64_t oc, int64_t hw, int64_t stride) {
    return ConvGeometry{.N = batch, .C = c, .H = hw, .W = hw, .OC = oc, .KH = 3, .KW = 3, .stride_h = stride,
                        .stride_w = stride, .pad_h = 1, .pad_w = 1};
  };
  const std::vector<Layer> cifar = {
      {"3x3 16->16 @32", conv3(16, 16, 32, 1)},
      {"3x3 32->32 @16", conv3(32, 32, 16, 1)},
      {"3x3 64->64 @8", conv3(64, 64, 8, 1)},
      {"stem 3->16 @32", conv3(3, 16, 32, 1)},
      {"3x3 16->32 s2", conv3(16, 32, 32, 2)},
      {"3x3 32->64 s2", conv3(32, 64, 16, 2)},
      {"1x1 16->32 s2", {.N = batch, .C = 16, .H = 32, .W = 32, .OC = 32, .stride_h = 2, .stride_w = 2}},
      {"1x1 32->32 @16", {.N = batch, .C = 32, .H = 16, .W = 16, .OC = 32}},
  };
  const std::vector<Layer> fashion = {
      {"3x3 16->16 @28", conv3(16, 16, 28, 1)},
      {"3x3 32->32 @14", conv3(32, 32, 14, 1)},
      {"3x3 64->64 @7", conv3(64, 64, 7, 1)},
      {"stem 1->16 @28", conv3(1, 16, 28, 1)},
      {"3x3 16->32 s2", conv3(16, 32, 28, 2)},
      {"3x3 32->64 s2", conv3(32, 64, 14, 2)},
      {"1x1 16->32 s2", {.N = batch, .C = 16, .H = 28, .W = 28, .OC = 32, .stride_h = 2, .stride_w = 2}},
      {"1x1 32->64 s2", {.N = batch, .C = 32, .H = 14, .W = 14, .OC = 64, .stride_h = 2, .stride_w = 2}},
  };
  const std::vector<Layer>& layers = fmnist ? fashion : cifar;
  if (only_layer >= static_cast<int>(layers.size())) {
    std::fprintf(stderr, "bench_conv_bench: --layer %d: the table has layers 0 to %zu\n", only_layer, layers.size() - 1);
    return 2;
  }

  std::printf("kernels: %s (EXCITE_ISA forces one), OpenBLAS core: %s, batch %lld, best of %d runs, GFLOP/s = 2 * MACs / %s time\n",
              isa_name().c_str(), blas_core_name(), static_cast<long long>(batch), reps, g_cpu_time ? "CPU" : "wall");
  for (int t : threads) {
    set_num_threads(t);
    std::printf("\n%d thread%s, FMA peak of %s on them: %.1f GFLOP/s (core/kernels/fma_peak.h)\n", t,
                t == 1 ? "" : "s", isa_name().c_str(), fma_peak_gflops(t));
    std::printf("%-16s %5s %7s %5s | %6s | %6s %6s %6s %6s | %7s %7s %7s\n", "layer", "M", "N", "K", "sgemm", "fwd",
                "bwd-x", "bwd-w", "bwd", "i2c-fwd", "i2c-bwd", "bat-fwd");
    for (size_t li = 0; li < layers.size(); ++li) {
      if (only_layer >= 0 && static_cast<size_t>(only_layer) != li) continue;
      const Layer& l = layers[li];
      const ConvGeometry& g = l.g;
      const int64_t P = g.OH() * g.OW(), M = g.OC, N = g.N * P, K = g.col_rows();
      const double flops = 2.0 * g.macs();
      Generator gen(1);
      Tensor x = Tensor::uniform({g.N, g.C, g.H, g.W}, -1, 1, gen);
      Tensor w = Tensor::uniform({g.OC, g.Cg(), g.KH, g.KW}, -1, 1, gen);
      Tensor y({g.N, g.OC, g.OH(), g.OW()}), dy = Tensor::uniform(y.shape(), -1, 1, gen);
      Tensor dx(x.shape()), dw(w.shape());
      Tensor A = Tensor::uniform({M, K}, -1, 1, gen), B = Tensor::uniform({K, N}, -1, 1, gen), C({M, N});

      auto skip_if_fast_only = [&](auto&& f) { return fast_only ? 1e30 : best_seconds(f, reps); };
      const double t_gemm = skip_if_fast_only(
          [&] { gemm(false, false, M, N, K, 1.f, A.data(), K, B.data(), N, 0.f, C.data(), N); });
      const double t_fwd = best_seconds([&] { conv2d_forward(x.data(), w.data(), nullptr, y.data(), g); }, reps);
      const double t_bx = best_seconds(
          [&] { conv2d_backward(dy.data(), x.data(), w.data(), dx.data(), nullptr, nullptr, g); }, reps);
      const double t_bw = best_seconds(
          [&] { conv2d_backward(dy.data(), x.data(), w.data(), nullptr, dw.data(), nullptr, g); }, reps);
      const double t_b = best_seconds(
          [&] { conv2d_backward(dy.data(), x.data(), w.data(), dx.data(), dw.data(), nullptr, g); }, reps);
      const double t_ifwd =
          skip_if_fast_only([&] { conv2d_forward_im2col(x.data(), w.data(), nullptr, y.data(), g); });
      const double t_ib = skip_if_fast_only(
          [&] { conv2d_backward_im2col(dy.data(), x.data(), w.data(), dx.data(), dw.data(), g); });
      std::vector<float> col, out;
      const double t_bat =
          skip_if_fast_only([&] { conv_forward_batched(x.data(), w.data(), y.data(), g, 32, col, out); });
      auto gf = [&](double seconds, double f) { return f / seconds * 1e-9; };
      std::printf("%-16s %5lld %7lld %5lld | %6.1f | %6.1f %6.1f %6.1f %6.1f | %7.1f %7.1f %7.1f\n", l.name,
                  static_cast<long long>(M), static_cast<long long>(N), static_cast<long long>(K),
                  gf(t_gemm, flops), gf(t_fwd, flops), gf(t_bx, flops), gf(t_bw, flops), gf(t_b, 2 * flops),
                  gf(t_ifwd, flops), gf(t_ib, 2 * flops), gf(t_bat, flops));
    }
  }
  return 0;
}
