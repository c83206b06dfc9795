// autograd/ops/conv.cpp — conv2d: checks, then the im2col + sgemm kernels of core/kernels/conv.
//
// y = W * x + b with * the (cross-)correlation; per sample and group it is the matrix product
// y = W col(x), so (derivation in core/kernels/conv.cpp):
//   dx = col2im(W^T dy),   dW = sum_n dy col(x)^T,   db = sum over n, oh, ow of dy.
#include <cmath>

#include "autograd/ops.h"
#include "core/kernels/conv.h"
#include "core/kernels/op_timer.h"

namespace excite {

namespace {

// The geometry of conv2d(x, weight, bias, p), after checking that the three fit together.
ConvGeometry checked_geometry(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dParams& p) {
  EXCITE_CHECK(x.dim() == 4, "conv2d: expected input [N, C, H, W], got " << x.shape());
  EXCITE_CHECK(weight.dim() == 4, "conv2d: expected weight [OC, C/groups, KH, KW], got " << weight.shape());
  EXCITE_CHECK(p.stride_h >= 1 && p.stride_w >= 1 && p.dilation_h >= 1 && p.dilation_w >= 1 && p.pad_h >= 0 &&
                   p.pad_w >= 0 && p.groups >= 1,
               "conv2d: need stride >= 1, dilation >= 1, padding >= 0 and groups >= 1, got stride ("
                   << p.stride_h << ", " << p.stride_w << "), padding (" << p.pad_h << ", " << p.pad_w
                   << "), dilation (" << p.dilation_h << ", " << p.dilation_w << "), groups " << p.groups);
  const ConvGeometry g{.N = x.size(0), .C = x.size(1), .H = x.size(2), .W = x.size(3),
                       .OC = weight.size(0), .KH = weight.size(2), .KW = weight.size(3),
                       .stride_h = p.stride_h, .stride_w = p.stride_w, .pad_h = p.pad_h, .pad_w = p.pad_w,
                       .dilation_h = p.dilation_h, .dilation_w = p.dilation_w, .groups = p.groups};
  EXCITE_CHECK(g.OC % g.groups == 0, "conv2d: weight " << weight.shape() << " has " << g.OC
                                                       << " output channels, not divisible by groups " << g.groups);
  EXCITE_CHECK(weight.size(1) * g.groups == g.C,
               "conv2d: input " << x.shape() << " has " << g.C << " channels but weight " << weight.shape()
                                << " with groups " << g.groups << " expects " << weight.size(1) * g.groups
                                << " (weight is [OC, C/groups, KH, KW]; check the layer's in_channels)");
  EXCITE_CHECK(g.OH() >= 1 && g.OW() >= 1,
               "conv2d: input " << x.shape() << " is smaller than the dilated kernel of weight " << weight.shape()
                                << " with padding (" << g.pad_h << ", " << g.pad_w << ")");
  EXCITE_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == g.OC),
               "conv2d: bias " << bias.shape() << " does not fit weight " << weight.shape() << " (expected ["
                               << g.OC << "])");
  return g;
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dParams& p) {
  const ConvGeometry g = checked_geometry(x, weight, bias, p);
  const bool has_bias = bias.defined();
  ScopedOpTimer timer(OpKind::ConvForward);
  Tensor y({g.N, g.OC, g.OH(), g.OW()});
  conv2d_forward(x.data().data(), weight.data().data(), has_bias ? bias.data().data() : nullptr, y.data(), g);

  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  TraceAttrs attrs;  // for the exporter (autograd/trace.h)
  if (tracing())
    attrs = {{.name = "strides", .ints = {p.stride_h, p.stride_w}}, {.name = "pads", .ints = {p.pad_h, p.pad_w}},
             {.name = "dilations", .ints = {p.dilation_h, p.dilation_w}}, {.name = "group", .ints = {p.groups}}};
  return make_result(y, "conv2d", inputs, [X = x.data(), Wt = weight.data(), g, has_bias, nx = x.requires_grad(),
                                           nw = weight.requires_grad(),
                                           nb = has_bias && bias.requires_grad()](const Tensor& dy) {
    ScopedOpTimer timer(OpKind::ConvBackward);
    std::vector<Tensor> grads(has_bias ? 3 : 2);
    // x's gradient added where it is stored when x already holds one (a block input: the
    // shortcut's gradient arrives first).
    Tensor held = nx ? take_held_gradient(0) : Tensor();
    if (nx) grads[0] = held.defined() ? held : Tensor(X.shape());
    if (nw) grads[1] = Tensor(Wt.shape());
    if (nb) grads[2] = Tensor({g.OC});
    conv2d_backward(dy.data(), X.data(), Wt.data(), nx ? grads[0].data() : nullptr, nw ? grads[1].data() : nullptr,
                    nb ? grads[2].data() : nullptr, g, held.defined());
    return grads;
  }, std::move(attrs));
}

Variable conv2d_batchnorm_inference(const Variable& x, const Variable& weight, const Variable& bias,
                                    const Conv2dParams& p, const Variable& bn_weight, const Variable& bn_bias,
                                    const Tensor& running_mean, const Tensor& running_var, float eps, bool relu) {
  const ConvGeometry g = checked_geometry(x, weight, bias, p);
  for (const Variable* v : {&bn_weight, &bn_bias})
    EXCITE_CHECK(!v->defined() || (v->dim() == 1 && v->size(0) == g.OC),
                 "conv2d_batchnorm_inference: batchnorm parameter " << v->shape() << " does not fit weight "
                                                                    << weight.shape() << " (expected [" << g.OC << "])");
  for (const Tensor* t : {&running_mean, &running_var})
    EXCITE_CHECK(t->dim() == 1 && t->size(0) == g.OC,
                 "conv2d_batchnorm_inference: running statistics " << t->shape() << " do not fit weight "
                                                                   << weight.shape() << " (expected [" << g.OC << "])");
  const bool wants_grad = x.requires_grad() || weight.requires_grad() || bias.requires_grad() ||
                          bn_weight.requires_grad() || bn_bias.requires_grad();  // false when undefined
  EXCITE_CHECK(!(grad_enabled() && wants_grad),
               "conv2d_batchnorm_inference: records no graph, but a gradient is wanted (run it under NoGradGuard, "
               "or use conv2d and batch_norm)");
  EXCITE_CHECK(!tracing(), "conv2d_batchnorm_inference: not an op the exporter knows (trace conv2d and batch_norm)");

  ScopedOpTimer timer(OpKind::ConvForward);
  const int64_t K = weight.numel() / g.OC;  // weights per output channel
  Tensor w(weight.shape()), b({g.OC});
  const float* w0 = weight.data().data();
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    const float gamma = bn_weight.defined() ? bn_weight.data()[oc] : 1.f;
    const float s = gamma / std::sqrt(running_var[oc] + eps);
    const float conv_bias = bias.defined() ? bias.data()[oc] : 0.f;
    b[oc] = s * (conv_bias - running_mean[oc]) + (bn_bias.defined() ? bn_bias.data()[oc] : 0.f);
    for (int64_t k = 0; k < K; ++k) w.data()[oc * K + k] = s * w0[oc * K + k];
  }
  Tensor y({g.N, g.OC, g.OH(), g.OW()});
  conv2d_forward(x.data().data(), w.data(), b.data(), y.data(), g, relu);
  return Variable(y);
}

}  // namespace excite
