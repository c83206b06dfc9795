// autograd/ops/conv.cpp — conv2d: checks, then the im2col + sgemm kernels of core/kernels/conv.
//
// y = W * x + b with * the (cross-)correlation; per sample and group it is the matrix product
// y = W col(x), so (derivation in core/kernels/conv.cpp):
//   dx = col2im(W^T dy),   dW = sum_n dy col(x)^T,   db = sum over n, oh, ow of dy.
#include "autograd/ops.h"
#include "core/kernels/conv.h"
#include "core/kernels/op_timer.h"

namespace excite {

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dParams& p) {
  EXCITE_CHECK(x.dim() == 4, "conv2d: expected input [N, C, H, W], got " << x.shape());
  EXCITE_CHECK(weight.dim() == 4, "conv2d: expected weight [OC, C/groups, KH, KW], got " << weight.shape());
  EXCITE_CHECK(p.stride_h >= 1 && p.stride_w >= 1 && p.dilation_h >= 1 && p.dilation_w >= 1 && p.pad_h >= 0 &&
                   p.pad_w >= 0 && p.groups >= 1,
               "conv2d: need stride >= 1, dilation >= 1, padding >= 0 and groups >= 1, got stride ("
                   << p.stride_h << ", " << p.stride_w << "), padding (" << p.pad_h << ", " << p.pad_w
                   << "), dilation (" << p.dilation_h << ", " << p.dilation_w << "), groups " << p.groups);
  ConvGeometry g{.N = x.size(0), .C = x.size(1), .H = x.size(2), .W = x.size(3),
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
  const bool has_bias = bias.defined();
  EXCITE_CHECK(!has_bias || (bias.dim() == 1 && bias.size(0) == g.OC),
               "conv2d: bias " << bias.shape() << " does not fit weight " << weight.shape() << " (expected ["
                               << g.OC << "])");

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

}  // namespace excite
