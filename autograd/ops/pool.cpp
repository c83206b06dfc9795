// autograd/ops/pool.cpp — max/avg pooling and the global pools (the SE squeeze), on
// core/kernels/pool.
//
// Backward: max pooling routes each output's gradient to the input it copied (the recorded
// argmax); average pooling spreads it evenly over the window (dy / divisor to each real pixel).
#include <memory>

#include "autograd/ops.h"
#include "core/kernels/op_timer.h"
#include "core/kernels/pool.h"

namespace excite {

namespace {

PoolGeometry pool_geometry(const Variable& x, const Pool2dParams& p, const char* op) {
  EXCITE_CHECK(x.dim() == 4, op << ": expected input [N, C, H, W], got " << x.shape());
  EXCITE_CHECK(p.kernel_h >= 1 && p.kernel_w >= 1 && p.stride_h >= 1 && p.stride_w >= 1,
               op << ": kernel and stride must be at least 1, got kernel (" << p.kernel_h << ", " << p.kernel_w
                  << "), stride (" << p.stride_h << ", " << p.stride_w << ")");
  EXCITE_CHECK(p.pad_h >= 0 && p.pad_w >= 0 && 2 * p.pad_h <= p.kernel_h && 2 * p.pad_w <= p.kernel_w,
               op << ": padding (" << p.pad_h << ", " << p.pad_w << ") must be between 0 and half the kernel ("
                  << p.kernel_h << ", " << p.kernel_w << "), as torch");
  PoolGeometry g{.N = x.size(0), .C = x.size(1), .H = x.size(2), .W = x.size(3),
                 .KH = p.kernel_h, .KW = p.kernel_w, .stride_h = p.stride_h, .stride_w = p.stride_w,
                 .pad_h = p.pad_h, .pad_w = p.pad_w, .count_include_pad = p.count_include_pad};
  EXCITE_CHECK(g.OH() >= 1 && g.OW() >= 1, op << ": input " << x.shape() << " is smaller than the kernel ("
                                              << p.kernel_h << ", " << p.kernel_w << ") with padding (" << p.pad_h
                                              << ", " << p.pad_w << ")");
  return g;
}

using Indices = std::shared_ptr<std::vector<int32_t>>;

}  // namespace

// The window, for the exporter (autograd/trace.h); empty unless tracing.
static TraceAttrs pool_trace_attrs(const Pool2dParams& p) {
  if (!tracing()) return {};
  return {{.name = "kernel_shape", .ints = {p.kernel_h, p.kernel_w}}, {.name = "strides", .ints = {p.stride_h, p.stride_w}},
          {.name = "pads", .ints = {p.pad_h, p.pad_w}}, {.name = "count_include_pad", .ints = {p.count_include_pad}}};
}

Variable max_pool2d(const Variable& x, const Pool2dParams& p) {
  const OpKind kind = op_kind_or_override(OpKind::Pooling);
  ScopedOpTimer timer(kind);
  const PoolGeometry g = pool_geometry(x, p, "max_pool2d");
  Tensor y({g.N, g.C, g.OH(), g.OW()});
  auto argmax = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(y.numel()));
  max_pool2d_forward(x.data().data(), y.data(), argmax->data(), g);
  return make_result(y, "max_pool2d", {x}, [argmax, g, xs = x.shape(), kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dx(xs);
    max_pool2d_backward(dy.data(), argmax->data(), dx.data(), g);
    return std::vector<Tensor>{dx};
  }, pool_trace_attrs(p));
}

Variable avg_pool2d(const Variable& x, const Pool2dParams& p) {
  const OpKind kind = op_kind_or_override(OpKind::Pooling);
  ScopedOpTimer timer(kind);
  const PoolGeometry g = pool_geometry(x, p, "avg_pool2d");
  Tensor y({g.N, g.C, g.OH(), g.OW()});
  avg_pool2d_forward(x.data().data(), y.data(), g);
  return make_result(y, "avg_pool2d", {x}, [g, xs = x.shape(), kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dx(xs);
    avg_pool2d_backward(dy.data(), dx.data(), g);
    return std::vector<Tensor>{dx};
  }, pool_trace_attrs(p));
}

Variable global_avg_pool(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Pooling);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && x.size(2) * x.size(3) > 0,
               "global_avg_pool: expected input [N, C, H, W] with H, W >= 1, got " << x.shape());
  const int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  Tensor y({N, C});
  global_avg_pool_forward(x.data().data(), y.data(), N * C, HW);
  // The gradient is dy / HW at every position of a plane: returned as one value per plane
  // [N, C, 1, 1], which the engine spreads while adding it to x's other gradient (SE's scale):
  // no full tensor written and read back (autograd/variable.h, Node).
  return make_result(y, "global_avg_pool", {x}, [N, C, HW, kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor per_plane({N, C, 1, 1});
    for (int64_t i = 0; i < N * C; ++i) per_plane.data()[i] = dy.data()[i] / static_cast<float>(HW);
    return std::vector<Tensor>{per_plane};
  });
}

Variable global_max_pool(const Variable& x) {
  const OpKind kind = op_kind_or_override(OpKind::Pooling);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 4 && x.size(2) * x.size(3) > 0,
               "global_max_pool: expected input [N, C, H, W] with H, W >= 1, got " << x.shape());
  const int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  Tensor y({N, C});
  auto argmax = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(N * C));
  global_max_pool_forward(x.data().data(), y.data(), argmax->data(), N * C, HW);
  return make_result(y, "global_max_pool", {x}, [argmax, xs = x.shape(), N, C, HW, kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    Tensor dx(xs);
    global_max_pool_backward(dy.data(), argmax->data(), dx.data(), N * C, HW);
    return std::vector<Tensor>{dx};
  });
}

}  // namespace excite
