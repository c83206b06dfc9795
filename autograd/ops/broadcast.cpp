#include "autograd/ops/broadcast.h"

#include <algorithm>

namespace excite {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  const int64_t rank = std::max(a.dim(), b.dim());
  std::vector<int64_t> dims(rank);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.dim() ? 1 : a.dims()[i - (rank - a.dim())];
    const int64_t db = i < rank - b.dim() ? 1 : b.dims()[i - (rank - b.dim())];
    EXCITE_CHECK(da == db || da == 1 || db == 1,
                 op << ": shapes " << a << " and " << b << " cannot be broadcast (dimension " << i << ": " << da
                    << " vs " << db << ")");
    dims[i] = std::max(da, db);
  }
  return Shape(dims);
}

BroadcastIndex::BroadcastIndex(const Shape& operand, const Shape& out)
    : out_dims_(out.dims()), strides_(out.dim(), 0), identity_(operand == out) {
  const int64_t shift = out.dim() - operand.dim();
  int64_t stride = 1;
  for (int64_t i = operand.dim() - 1; i >= 0; --i) {
    strides_[i + shift] = operand.dims()[i] == 1 ? 0 : stride;
    stride *= operand.dims()[i];
  }
}

int64_t BroadcastIndex::offset(int64_t flat) const {
  if (identity_) return flat;
  int64_t off = 0;
  for (int64_t d = static_cast<int64_t>(out_dims_.size()) - 1; d >= 0 && flat > 0; --d) {
    off += (flat % out_dims_[d]) * strides_[d];
    flat /= out_dims_[d];
  }
  return off;
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  Tensor out = Tensor::zeros(shape);
  BroadcastIndex index(shape, g.shape());
  const float* src = g.data();
  float* dst = out.data();
  for (int64_t i = 0; i < g.numel(); ++i) dst[index.offset(i)] += src[i];
  return out;
}

}  // namespace excite
