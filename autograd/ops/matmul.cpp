// autograd/ops/matmul.cpp — matmul and linear, both on core's gemm.
//
// Y = A B:      dA = dY B^T,  dB = A^T dY
// y = x W^T + b: dx = dy W,   dW = dy^T x,  db = sum over the batch of dy
#include "autograd/ops.h"
#include "core/blas.h"
#include "core/kernels/op_timer.h"

namespace excite {

Variable matmul(const Variable& a, const Variable& b) {
  const OpKind kind = op_kind_or_override(OpKind::Linear);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0),
               "matmul: expected [M, K] x [K, N], got " << a.shape() << " x " << b.shape());
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  Tensor out({M, N});
  gemm(false, false, M, N, K, 1.f, a.data().data(), K, b.data().data(), N, 0.f, out.data(), N);
  return make_result(out, "matmul", {a, b}, [A = a.data(), B = b.data(), na = a.requires_grad(),
                                             nb = b.requires_grad(), M, N, K, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    Tensor dA, dB;
    if (na) {
      dA = Tensor({M, K});
      gemm(false, true, M, K, N, 1.f, g.data(), N, B.data(), N, 0.f, dA.data(), K);
    }
    if (nb) {
      dB = Tensor({K, N});
      gemm(true, false, K, N, M, 1.f, A.data(), K, g.data(), N, 0.f, dB.data(), N);
    }
    return std::vector<Tensor>{dA, dB};
  });
}

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  const OpKind kind = op_kind_or_override(OpKind::Linear);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(x.dim() == 2 && weight.dim() == 2 && x.size(1) == weight.size(1),
               "linear: input " << x.shape() << " does not fit weight " << weight.shape()
                                << " (expected input [N, " << (weight.dim() == 2 ? weight.size(1) : -1) << "])");
  const int64_t N = x.size(0), IN = x.size(1), OUT = weight.size(0);
  const bool has_bias = bias.defined();
  EXCITE_CHECK(!has_bias || (bias.dim() == 1 && bias.size(0) == OUT),
               "linear: bias " << bias.shape() << " does not fit weight " << weight.shape());
  Tensor out({N, OUT});
  float* po = out.data();
  if (has_bias) {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < OUT; ++o) po[n * OUT + o] = bias.data().data()[o];
  }
  gemm(false, true, N, OUT, IN, 1.f, x.data().data(), IN, weight.data().data(), IN, has_bias ? 1.f : 0.f, po, OUT);
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return make_result(out, "linear", inputs, [X = x.data(), W = weight.data(), nx = x.requires_grad(),
                                             nw = weight.requires_grad(), has_bias, N, IN, OUT, kind](const Tensor& g) {
    ScopedOpTimer timer(kind);
    std::vector<Tensor> grads(has_bias ? 3 : 2);
    if (nx) {
      grads[0] = Tensor({N, IN});
      gemm(false, false, N, IN, OUT, 1.f, g.data(), OUT, W.data(), IN, 0.f, grads[0].data(), IN);
    }
    if (nw) {
      grads[1] = Tensor({OUT, IN});
      gemm(true, false, OUT, IN, N, 1.f, g.data(), OUT, X.data(), IN, 0.f, grads[1].data(), IN);
    }
    if (has_bias) {
      grads[2] = Tensor::zeros({OUT});
      for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < OUT; ++o) grads[2].data()[o] += g.data()[n * OUT + o];
    }
    return grads;
  });
}

}  // namespace excite
