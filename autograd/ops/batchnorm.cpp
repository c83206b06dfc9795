// autograd/ops/batchnorm.cpp — batch_norm over [N, C, H, W] (or [N, C]) per channel.
//
// Training: mean and biased variance of the batch normalise x; the running statistics move
// toward the batch's with new = (1 - momentum) old + momentum batch, using the unbiased variance
// (times M / (M - 1), M = N*H*W values per channel), as torch. Eval: the running statistics
// normalise x and stay as they are.
// Backward (derivation in core/kernels/batchnorm.cpp), s = 1/sqrt(var + eps), xhat = (x - mean) s:
//   dbeta = sum dy,  dgamma = sum dy xhat,
//   dx = gamma s (dy - dbeta/M - xhat dgamma/M)   in training,   dx = gamma s dy   in eval.
// batch_norm_relu = relu(batch_norm(...)) in one pass each way: with y its output, the gradient
// reaching the normalisation is dy where y > 0 and 0 elsewhere, then as above.
#include <cmath>

#include "autograd/ops.h"
#include "core/kernels/batchnorm.h"
#include "core/kernels/op_timer.h"

namespace excite {

namespace {

// batch_norm, and with relu = true batch_norm_relu: the same statistics, the ReLU fused into the
// normalisation pass and into the backward (which then reads its own output to mask dy).
Variable batch_norm_impl(const Variable& x, const Variable& weight, const Variable& bias, Tensor& running_mean,
                         Tensor& running_var, bool training, float momentum, float eps, bool relu) {
  const char* op = relu ? "batch_norm_relu" : "batch_norm";
  EXCITE_CHECK(x.dim() == 4 || x.dim() == 2, op << ": expected input [N, C, H, W] or [N, C], got " << x.shape());
  const int64_t N = x.size(0), C = x.size(1), HW = x.dim() == 4 ? x.size(2) * x.size(3) : 1;
  auto per_channel = [&](const Shape& s, const char* what) {
    EXCITE_CHECK(s.dim() == 1 && s[0] == C, op << ": " << what << " " << s << " does not fit input " << x.shape()
                                                << " (expected [" << C << "], one value per channel)");
  };
  if (weight.defined()) per_channel(weight.shape(), "weight");
  if (bias.defined()) per_channel(bias.shape(), "bias");
  per_channel(running_mean.shape(), "running_mean");
  per_channel(running_var.shape(), "running_var");
  const int64_t M = N * HW;
  EXCITE_CHECK(!training || M > 1, op << ": training needs more than 1 value per channel, got input "
                                        << x.shape() << " (use eval mode or a larger batch)");

  ScopedOpTimer timer(OpKind::BatchNorm);
  Tensor mean({C}), invstd({C});
  if (training) {
    Tensor var({C});
    batchnorm_stats(x.data().data(), N, C, HW, mean.data(), var.data());
    const float unbias = static_cast<float>(M) / static_cast<float>(M - 1);
    for (int64_t c = 0; c < C; ++c) {
      invstd.data()[c] = 1.f / std::sqrt(var.data()[c] + eps);
      running_mean.data()[c] = (1.f - momentum) * running_mean.data()[c] + momentum * mean.data()[c];
      running_var.data()[c] = (1.f - momentum) * running_var.data()[c] + momentum * var.data()[c] * unbias;
    }
  } else {
    mean.copy_from(running_mean);
    for (int64_t c = 0; c < C; ++c) invstd.data()[c] = 1.f / std::sqrt(running_var.data()[c] + eps);
  }
  const float* gamma = weight.defined() ? weight.data().data() : nullptr;
  const float* beta = bias.defined() ? bias.data().data() : nullptr;
  Tensor y(x.shape());
  (relu ? batchnorm_relu_forward : batchnorm_forward)(x.data().data(), mean.data(), invstd.data(), gamma, beta,
                                                      y.data(), N, C, HW);

  // Inputs in a fixed order: x, then weight and bias when defined.
  std::vector<Variable> inputs{x};
  const int wi = weight.defined() ? static_cast<int>(inputs.size()) : -1;
  if (weight.defined()) inputs.push_back(weight);
  const int bi = bias.defined() ? static_cast<int>(inputs.size()) : -1;
  if (bias.defined()) inputs.push_back(bias);
  TraceAttrs attrs;  // for the exporter (autograd/trace.h)
  if (tracing())
    attrs = {{.name = "running_mean", .tensor = running_mean}, {.name = "running_var", .tensor = running_var},
             {.name = "eps", .floats = {eps}}, {.name = "training", .ints = {training}},
             {.name = "has_weight", .ints = {weight.defined()}}, {.name = "has_bias", .ints = {bias.defined()}}};
  // The fused closure keeps y (to mask dy), which the next layer keeps anyway; the unfused one does not.
  return make_result(y, op, inputs, [X = x.data(), Y = relu ? y : Tensor(), relu,
                                     Gamma = weight.defined() ? weight.data() : Tensor(), mean, invstd, training, N,
                                     C, HW, wi, bi, nx = x.requires_grad(), nw = weight.requires_grad(),
                                     nb = bias.requires_grad()](const Tensor& dy) {
    ScopedOpTimer timer(OpKind::BatchNorm);
    std::vector<Tensor> grads(1 + (wi >= 0) + (bi >= 0));
    if (nx) grads[0] = Tensor(X.shape());
    Tensor dgamma({C}), dbeta({C});
    const float* gm = Gamma.defined() ? Gamma.data() : nullptr;
    float* dx = nx ? grads[0].data() : nullptr;
    if (relu)
      batchnorm_relu_backward(dy.data(), Y.data(), X.data(), mean.data(), invstd.data(), gm, dx, dgamma.data(),
                              dbeta.data(), N, C, HW, training);
    else
      batchnorm_backward(dy.data(), X.data(), mean.data(), invstd.data(), gm, dx, dgamma.data(), dbeta.data(), N, C,
                         HW, training);
    if (wi >= 0 && nw) grads[wi] = dgamma;
    if (bi >= 0 && nb) grads[bi] = dbeta;
    return grads;
  }, std::move(attrs));
}

}  // namespace

Variable batch_norm(const Variable& x, const Variable& weight, const Variable& bias, Tensor& running_mean,
                    Tensor& running_var, bool training, float momentum, float eps) {
  return batch_norm_impl(x, weight, bias, running_mean, running_var, training, momentum, eps, false);
}

Variable batch_norm_relu(const Variable& x, const Variable& weight, const Variable& bias, Tensor& running_mean,
                         Tensor& running_var, bool training, float momentum, float eps) {
  return batch_norm_impl(x, weight, bias, running_mean, running_var, training, momentum, eps, true);
}

}  // namespace excite
