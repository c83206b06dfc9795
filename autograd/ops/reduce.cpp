// autograd/ops/reduce.cpp — sum and mean, over everything or over given dimensions.
// Backward: every element that was summed receives the output's gradient (times 1/count for
// mean), i.e. the gradient is broadcast back over the reduced dimensions.
#include <algorithm>

#include "autograd/ops.h"
#include "core/kernels/op_timer.h"
#include "autograd/ops/broadcast.h"

namespace excite {

namespace {

// The kept shape (reduced dims set to 1) and, when !keepdim, the squeezed one.
struct Reduction {
  Shape kept, out;
  int64_t count = 1;  // elements summed into each output
};

Reduction plan(const Shape& in, std::vector<int64_t> dims, bool keepdim, const char* op) {
  std::vector<int64_t> kept = in.dims();
  std::vector<bool> reduced(in.dim(), false);
  Reduction r;
  for (int64_t& d : dims) {
    EXCITE_CHECK(d >= -in.dim() && d < in.dim(), op << ": dimension " << d << " out of range for " << in);
    d = d < 0 ? d + in.dim() : d;
    EXCITE_CHECK(!reduced[d], op << ": dimension " << d << " given twice");
    reduced[d] = true;
    r.count *= kept[d];
    kept[d] = 1;
  }
  std::vector<int64_t> out;
  for (int64_t i = 0; i < in.dim(); ++i)
    if (!reduced[i] || keepdim) out.push_back(kept[i]);
  r.kept = Shape(kept);
  r.out = Shape(out);
  return r;
}

Tensor broadcast_to(const Tensor& g, const Shape& shape, float scale) {
  Tensor out(shape);
  BroadcastIndex index(g.shape(), shape);
  const float* pg = g.data();
  float* po = out.data();
  for (int64_t i = 0; i < out.numel(); ++i) po[i] = pg[index.offset(i)] * scale;
  return out;
}

Variable reduce(const Variable& x, const std::vector<int64_t>& dims, bool keepdim, bool average, const char* op) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  Reduction r = plan(x.shape(), dims, keepdim, op);
  const float scale = average ? 1.f / static_cast<float>(std::max<int64_t>(r.count, 1)) : 1.f;
  Tensor out = sum_to(x.data(), r.kept).clone();
  for (float& v : out) v *= scale;
  TraceAttrs attrs;  // for the exporter (autograd/trace.h): the reduced axes, in [0, dim)
  if (tracing()) {
    std::vector<int64_t> axes;
    for (int64_t d : dims) axes.push_back(d < 0 ? d + x.dim() : d);
    attrs = {{.name = "axes", .ints = axes}, {.name = "keepdims", .ints = {keepdim}}};
  }
  return make_result(out.reshape(r.out), op, {x}, [r, scale, in = x.shape(), kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    return std::vector<Tensor>{broadcast_to(g.reshape(r.kept), in, scale)};
  }, std::move(attrs));
}

std::vector<int64_t> all_dims(const Variable& x) {
  std::vector<int64_t> dims(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) dims[i] = i;
  return dims;
}

}  // namespace

Variable sum(const Variable& x) { return reduce(x, all_dims(x), false, false, "sum"); }
Variable sum(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  return reduce(x, dims, keepdim, false, "sum");
}
Variable mean(const Variable& x) { return reduce(x, all_dims(x), false, true, "mean"); }
Variable mean(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  return reduce(x, dims, keepdim, true, "mean");
}

}  // namespace excite
