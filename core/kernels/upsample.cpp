// core/kernels/upsample.cpp — nearest-neighbour resizing, fast (index tables, parallel planes,
// repeated rows copied whole) and naive (the source index computed per element).
//
// Backward: y = x[src], so dx[src] += dy for every output; several outputs share a source when
// enlarging, none when a source pixel is skipped (shrinking), which then gets 0.
#include "core/kernels/upsample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/parallel.h"

namespace excite {

int64_t nearest_source_index(int64_t out_index, int64_t in_size, int64_t out_size) {
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  const float at = std::floor(static_cast<float>(out_index) * scale);  // one float product, no contraction
  return std::min(static_cast<int64_t>(at), in_size - 1);
}

namespace {

std::vector<int64_t> index_table(int64_t in_size, int64_t out_size) {
  std::vector<int64_t> t(static_cast<size_t>(out_size));
  for (int64_t o = 0; o < out_size; ++o) t[o] = nearest_source_index(o, in_size, out_size);
  return t;
}

}  // namespace

void upsample_nearest_forward(const float* x, float* y, const UpsampleGeometry& g) {
  const std::vector<int64_t> rows = index_table(g.H, g.OH), cols = index_table(g.W, g.OW);
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const float* p = x + nc * g.H * g.W;
    float* q = y + nc * g.OH * g.OW;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      float* row = q + oh * g.OW;
      if (oh > 0 && rows[oh] == rows[oh - 1]) {  // the same source row again: copy the finished row
        std::copy(row - g.OW, row, row);
        continue;
      }
      const float* src = p + rows[oh] * g.W;
      for (int64_t ow = 0; ow < g.OW; ++ow) row[ow] = src[cols[ow]];
    }
  }, 8);
}

void upsample_nearest_backward(const float* dy, float* dx, const UpsampleGeometry& g) {
  const std::vector<int64_t> rows = index_table(g.H, g.OH), cols = index_table(g.W, g.OW);
  parallel_for(g.N * g.C, [&](int64_t nc) {
    const float* p = dy + nc * g.OH * g.OW;
    float* q = dx + nc * g.H * g.W;
    std::fill(q, q + g.H * g.W, 0.f);
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      float* dst = q + rows[oh] * g.W;
      const float* row = p + oh * g.OW;
      for (int64_t ow = 0; ow < g.OW; ++ow) dst[cols[ow]] += row[ow];
    }
  }, 8);
}

// --- naive twin ---

void upsample_nearest_forward_naive(const float* x, float* y, const UpsampleGeometry& g) {
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const int64_t ih = nearest_source_index(oh, g.H, g.OH), iw = nearest_source_index(ow, g.W, g.OW);
        y[(nc * g.OH + oh) * g.OW + ow] = x[(nc * g.H + ih) * g.W + iw];
      }
}

void upsample_nearest_backward_naive(const float* dy, float* dx, const UpsampleGeometry& g) {
  std::fill(dx, dx + g.N * g.C * g.H * g.W, 0.f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const int64_t ih = nearest_source_index(oh, g.H, g.OH), iw = nearest_source_index(ow, g.W, g.OW);
        dx[(nc * g.H + ih) * g.W + iw] += dy[(nc * g.OH + oh) * g.OW + ow];
      }
}

}  // namespace excite
