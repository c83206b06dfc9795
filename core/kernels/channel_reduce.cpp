// core/kernels/channel_reduce.cpp — channel mean/max maps and the spatial scale (see the header
// for the formulas), fast and naive.
//
// The fast kernels cut each sample's HW pixels into blocks of kBlock and run the blocks in
// parallel; inside a block they walk the C planes one after the other, so every inner loop runs
// over contiguous pixels and vectorises (-march=native). The naive twins loop pixel by pixel and
// channel by channel with double accumulators: an independent order of summation to test against.
#include "core/kernels/channel_reduce.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"

namespace excite {

namespace {

constexpr int64_t kBlock = 256;  // pixels per parallel task: 1 KB per plane row, fits L1 across a few planes

// Calls fn(n, j0, j1) for every sample n and block [j0, j1) of its pixels, in parallel.
template <typename Fn>
void for_pixel_blocks(const ChannelPlanes& g, Fn&& fn) {
  const int64_t blocks = (g.HW + kBlock - 1) / kBlock;
  parallel_for(g.N * blocks, [&](int64_t t) {
    const int64_t n = t / blocks, j0 = (t % blocks) * kBlock, j1 = std::min(j0 + kBlock, g.HW);
    fn(n, j0, j1);
  }, 4);
}

// m > best, with NaN the largest value (the first NaN stays).
inline bool beats(float v, float best) { return v > best || (std::isnan(v) && !std::isnan(best)); }
inline bool same_max(float v, float m) { return v == m || (std::isnan(v) && std::isnan(m)); }

}  // namespace

void channel_mean_forward(const float* x, float* m, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    float* out = m + n * g.HW;
    const float* xn = x + n * g.C * g.HW;
    std::copy(xn + j0, xn + j1, out + j0);
    for (int64_t c = 1; c < g.C; ++c) {
      const float* p = xn + c * g.HW;
      for (int64_t j = j0; j < j1; ++j) out[j] += p[j];
    }
    const float C = static_cast<float>(g.C);
    for (int64_t j = j0; j < j1; ++j) out[j] /= C;
  });
}

void channel_mean_backward(const float* dm, float* dx, const ChannelPlanes& g) {
  const float C = static_cast<float>(g.C);
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    const float* d = dm + n * g.HW;
    for (int64_t c = 0; c < g.C; ++c) {
      float* q = dx + (n * g.C + c) * g.HW;
      for (int64_t j = j0; j < j1; ++j) q[j] = d[j] / C;
    }
  });
}

void channel_max_forward(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    float* out = m + n * g.HW;
    int32_t* at = argmax + n * g.HW;
    const float* xn = x + n * g.C * g.HW;
    std::copy(xn + j0, xn + j1, out + j0);
    std::fill(at + j0, at + j1, 0);
    for (int64_t c = 1; c < g.C; ++c) {
      const float* p = xn + c * g.HW;
      for (int64_t j = j0; j < j1; ++j) {
        const bool take = beats(p[j], out[j]);
        out[j] = take ? p[j] : out[j];
        at[j] = take ? static_cast<int32_t>(c) : at[j];
      }
    }
  });
}

void channel_max_backward_first(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    const float* d = dm + n * g.HW;
    const int32_t* at = argmax + n * g.HW;
    for (int64_t c = 0; c < g.C; ++c) {
      float* q = dx + (n * g.C + c) * g.HW;
      const int32_t cc = static_cast<int32_t>(c);
      for (int64_t j = j0; j < j1; ++j) q[j] = at[j] == cc ? d[j] : 0.f;
    }
  });
}

void channel_max_backward_split(const float* dm, const float* x, const float* m, float* dx, const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    float share[kBlock];  // dm / (number of channels equal to the maximum)
    const float* d = dm + n * g.HW;
    const float* mn = m + n * g.HW;
    const float* xn = x + n * g.C * g.HW;
    std::fill(share, share + (j1 - j0), 0.f);
    for (int64_t c = 0; c < g.C; ++c) {
      const float* p = xn + c * g.HW;
      for (int64_t j = j0; j < j1; ++j) share[j - j0] += same_max(p[j], mn[j]) ? 1.f : 0.f;
    }
    for (int64_t j = j0; j < j1; ++j) share[j - j0] = d[j] / share[j - j0];
    for (int64_t c = 0; c < g.C; ++c) {
      const float* p = xn + c * g.HW;
      float* q = dx + (n * g.C + c) * g.HW;
      for (int64_t j = j0; j < j1; ++j) q[j] = same_max(p[j], mn[j]) ? share[j - j0] : 0.f;
    }
  });
}

void spatial_scale_forward(const float* x, const float* s, float* y, const ChannelPlanes& g) {
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const float* p = x + nc * g.HW;
    const float* sn = s + (nc / g.C) * g.HW;
    float* q = y + nc * g.HW;
    for (int64_t j = 0; j < g.HW; ++j) q[j] = p[j] * sn[j];
  }, 16);
}

void spatial_scale_backward(const float* dy, const float* x, const float* s, float* dx, float* ds,
                            const ChannelPlanes& g) {
  for_pixel_blocks(g, [&](int64_t n, int64_t j0, int64_t j1) {
    const float* sn = s + n * g.HW;
    float* dsn = ds ? ds + n * g.HW : nullptr;
    if (dsn) std::fill(dsn + j0, dsn + j1, 0.f);
    for (int64_t c = 0; c < g.C; ++c) {
      const int64_t at = (n * g.C + c) * g.HW;
      const float* gy = dy + at;
      if (dx) {
        float* q = dx + at;
        for (int64_t j = j0; j < j1; ++j) q[j] = gy[j] * sn[j];
      }
      if (dsn) {
        const float* p = x + at;
        for (int64_t j = j0; j < j1; ++j) dsn[j] += gy[j] * p[j];
      }
    }
  });
}

// --- naive twins: one output at a time, strided across the channels ---

void channel_mean_forward_naive(const float* x, float* m, const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      double s = 0.0;
      for (int64_t c = 0; c < g.C; ++c) s += x[(n * g.C + c) * g.HW + j];
      m[n * g.HW + j] = static_cast<float>(s / static_cast<double>(g.C));
    }
}

void channel_mean_backward_naive(const float* dm, float* dx, const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t j = 0; j < g.HW; ++j)
        dx[(n * g.C + c) * g.HW + j] = static_cast<float>(double(dm[n * g.HW + j]) / static_cast<double>(g.C));
}

void channel_max_forward_naive(const float* x, float* m, int32_t* argmax, const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      int32_t at = 0;
      for (int64_t c = 1; c < g.C; ++c)
        if (beats(x[(n * g.C + c) * g.HW + j], x[(n * g.C + at) * g.HW + j])) at = static_cast<int32_t>(c);
      m[n * g.HW + j] = x[(n * g.C + at) * g.HW + j];
      argmax[n * g.HW + j] = at;
    }
}

void channel_max_backward_first_naive(const float* dm, const int32_t* argmax, float* dx, const ChannelPlanes& g) {
  std::fill(dx, dx + g.N * g.C * g.HW, 0.f);
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) dx[(n * g.C + argmax[n * g.HW + j]) * g.HW + j] = dm[n * g.HW + j];
}

void channel_max_backward_split_naive(const float* dm, const float* x, const float* m, float* dx,
                                      const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      int64_t ties = 0;
      for (int64_t c = 0; c < g.C; ++c) ties += same_max(x[(n * g.C + c) * g.HW + j], m[n * g.HW + j]);
      for (int64_t c = 0; c < g.C; ++c) {
        const int64_t i = (n * g.C + c) * g.HW + j;
        dx[i] = same_max(x[i], m[n * g.HW + j]) ? dm[n * g.HW + j] / static_cast<float>(ties) : 0.f;
      }
    }
}

void spatial_scale_forward_naive(const float* x, const float* s, float* y, const ChannelPlanes& g) {
  for (int64_t i = 0; i < g.N * g.C * g.HW; ++i) {
    const int64_t n = i / (g.C * g.HW), j = i % g.HW;
    y[i] = x[i] * s[n * g.HW + j];
  }
}

void spatial_scale_backward_naive(const float* dy, const float* x, const float* s, float* dx, float* ds,
                                  const ChannelPlanes& g) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t j = 0; j < g.HW; ++j) {
      double acc = 0.0;
      for (int64_t c = 0; c < g.C; ++c) {
        const int64_t i = (n * g.C + c) * g.HW + j;
        if (dx) dx[i] = dy[i] * s[n * g.HW + j];
        acc += double(dy[i]) * x[i];
      }
      if (ds) ds[n * g.HW + j] = static_cast<float>(acc);
    }
}

}  // namespace excite
