// core/kernels/pointwise.h — the element-wise kernels of a training step on raw float*, fast and
// naive: the binary arithmetic of equal-shape tensors, ReLU and the residual join relu(a + b)
// with their backward masks, scaling, SE's channel scale y[n, c, :] = x[n, c, :] * s[n, c], and
// the join after SE, relu(x s + r), in one.
//
// Written once over Highway (pointwise.cpp; vectors of the running target, isa.h), split over
// the OpenMP pool in chunks of kElementwiseChunk floats (core/elementwise.h) or by planes, so the
// results do not depend on the thread count. The naive twins are one plain loop each.
// Leaves out: broadcasting and the rarer functions (exp, log, sigmoid, ...: core/elementwise.h's
// map_unary/map_binary with a scalar lambda, in autograd/ops).
// Legend: n elements; NC planes of HW values (channel scale).
#pragma once

#include <cstdint>

namespace excite {

enum class BinaryOp { Add, Sub, Mul };

// out = a op b; out may be a or b itself (each element is read before it is written).
void binary_forward(BinaryOp op, const float* a, const float* b, float* out, int64_t n);
// y = x * s.
void scale_forward(const float* x, float s, float* y, int64_t n);
// y = max(x, 0);  dx = g where y > 0, else 0 (torch's convention: 0 at 0).
void relu_forward(const float* x, float* y, int64_t n);
void relu_backward(const float* g, const float* y, float* dx, int64_t n);
// y = max(a + b, 0): the residual join; its backward is relu_backward (one mask for both inputs).
void add_relu_forward(const float* a, const float* b, float* y, int64_t n);
// y[i, :] = x[i, :] * s[i] over NC planes of HW;  dx[i, :] = g[i, :] * s[i],
// ds[i] = sum_j g[i, j] x[i, j] (dx or ds may be null: not wanted).
void channel_scale_forward(const float* x, const float* s, float* y, int64_t NC, int64_t HW);
void channel_scale_backward(const float* g, const float* x, const float* s, float* dx, float* ds, int64_t NC,
                            int64_t HW);
// y[i, :] = max(x[i, :] s[i] + r[i, :], 0) (x s + r one FMA, one rounding): a residual block's
// join after SE — the channel scale, the residual addition and the ReLU in one pass. Backward
// from g and y: dr = g where y > 0, else 0 (the residual's gradient), dx[i, :] = dr[i, :] s[i],
// ds[i] = sum_j dr[i, j] x[i, j] (dx or ds may be null; dr may not).
void channel_scale_add_relu_forward(const float* x, const float* s, const float* r, float* y, int64_t NC, int64_t HW);
void channel_scale_add_relu_backward(const float* g, const float* y, const float* x, const float* s, float* dr,
                                     float* dx, float* ds, int64_t NC, int64_t HW);
// out[i, :] = a[i, :] + s[i] over NC planes of HW (a null: out[i, :] = s[i]); out may be a. A
// gradient that is one value per plane (global average pooling's) added to a full one.
void plane_add(const float* a, const float* s, float* out, int64_t NC, int64_t HW);

void binary_forward_naive(BinaryOp op, const float* a, const float* b, float* out, int64_t n);
void scale_forward_naive(const float* x, float s, float* y, int64_t n);
void relu_forward_naive(const float* x, float* y, int64_t n);
void relu_backward_naive(const float* g, const float* y, float* dx, int64_t n);
void add_relu_forward_naive(const float* a, const float* b, float* y, int64_t n);
void channel_scale_forward_naive(const float* x, const float* s, float* y, int64_t NC, int64_t HW);
void channel_scale_backward_naive(const float* g, const float* x, const float* s, float* dx, float* ds, int64_t NC,
                                  int64_t HW);
void channel_scale_add_relu_forward_naive(const float* x, const float* s, const float* r, float* y, int64_t NC,
                                          int64_t HW);
void channel_scale_add_relu_backward_naive(const float* g, const float* y, const float* x, const float* s, float* dr,
                                           float* dx, float* ds, int64_t NC, int64_t HW);
void plane_add_naive(const float* a, const float* s, float* out, int64_t NC, int64_t HW);

}  // namespace excite
