// autograd/ops.h — the public list of differentiable functions. Everything else (layers, SE,
// models, losses) is composed from these. Each op's forward and its backward closure live side
// by side in autograd/ops/<group>.cpp.
//
// Shape legend: N batch, C channels, H W height width, OC output channels, KH KW kernel size,
// OH OW output size, K classes or features.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/variable.h"

namespace excite {

// --- elementwise, with broadcasting (numpy rules: align trailing dims, size-1 dims stretch) ---
// ops/elementwise.cpp
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable neg(const Variable& x);
Variable add_scalar(const Variable& x, float s);
Variable mul_scalar(const Variable& x, float s);
inline Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
inline Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
inline Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
inline Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
inline Variable operator-(const Variable& x) { return neg(x); }
inline Variable operator+(const Variable& x, float s) { return add_scalar(x, s); }
inline Variable operator*(const Variable& x, float s) { return mul_scalar(x, s); }
inline Variable operator*(float s, const Variable& x) { return mul_scalar(x, s); }
Variable exp(const Variable& x);
Variable log(const Variable& x);

// --- activations: ops/activation.cpp ---
Variable relu(const Variable& x);
Variable sigmoid(const Variable& x);
Variable tanh(const Variable& x);
Variable hardsigmoid(const Variable& x);  // relu6(x + 3) / 6, as torch.nn.Hardsigmoid
Variable silu(const Variable& x);         // x * sigmoid(x)
// relu(a + b) fused, for equal shapes (the residual join): one pass each way, no stored sum.
Variable add_relu(const Variable& a, const Variable& b);

// --- reductions: ops/reduce.cpp ---
Variable sum(const Variable& x);  // all elements -> shape []
Variable sum(const Variable& x, const std::vector<int64_t>& dims, bool keepdim = false);
Variable mean(const Variable& x);
Variable mean(const Variable& x, const std::vector<int64_t>& dims, bool keepdim = false);

// --- shape: ops/shape.cpp (views; backward reshapes the gradient back) ---
Variable reshape(const Variable& x, const Shape& shape);
Variable flatten(const Variable& x, int64_t start_dim = 1);  // [N, C, H, W] -> [N, C*H*W]

// --- linear algebra: ops/matmul.cpp ---
Variable matmul(const Variable& a, const Variable& b);  // [M, K] x [K, N] -> [M, N]
// x [N, in], weight [out, in], bias [out] or undefined -> [N, out]  (y = x W^T + b)
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);

// --- SE excitation: ops/channel.cpp ---
Variable channel_scale(const Variable& x, const Variable& s);  // x [N,C,H,W] * s [N,C] -> [N,C,H,W]
// relu(channel_scale(x, s) + r), r like x: a residual block's join after SE in one pass each way
// (x s + r is one FMA: equal to the three ops up to one rounding).
Variable channel_scale_add_relu(const Variable& x, const Variable& s, const Variable& r);

// --- convolution: ops/conv.cpp ---
struct Conv2dParams {
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
};
// x [N, C, H, W], weight [OC, C/groups, KH, KW], bias [OC] or undefined -> [N, OC, OH, OW]
Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dParams& p);
// Inference only: batch_norm(conv2d(x, weight, bias, p)) in eval mode (the running statistics;
// bn_weight/bn_bias may be undefined), with relu its ReLU, as one convolution whose weights and
// bias carry the batchnorm and whose stores apply the ReLU: per output channel, with
// s = bn_weight / sqrt(running_var + eps), w' = s w and b' = s (bias - running_mean) + bn_bias.
// Equal to the two ops up to float rounding; records no graph and fails if a gradient is wanted
// (grad mode on and an input that requires one).
Variable conv2d_batchnorm_inference(const Variable& x, const Variable& weight, const Variable& bias,
                                    const Conv2dParams& p, const Variable& bn_weight, const Variable& bn_bias,
                                    const Tensor& running_mean, const Tensor& running_var, float eps, bool relu);

// --- normalisation: ops/batchnorm.cpp ---
// Training: normalise with the batch's biased variance; update running_mean/running_var (the
// unbiased variance) in place with `momentum`. Eval: use the running statistics.
// weight/bias [C] may be undefined (affine off).
Variable batch_norm(const Variable& x, const Variable& weight, const Variable& bias, Tensor& running_mean,
                    Tensor& running_var, bool training, float momentum, float eps);
// relu(batch_norm(...)) fused: one pass forward, one backward, no stored pre-ReLU tensor.
Variable batch_norm_relu(const Variable& x, const Variable& weight, const Variable& bias, Tensor& running_mean,
                         Tensor& running_var, bool training, float momentum, float eps);

// --- pooling: ops/pool.cpp ---
struct Pool2dParams {
  int64_t kernel_h = 2, kernel_w = 2;
  int64_t stride_h = 2, stride_w = 2;
  int64_t pad_h = 0, pad_w = 0;
  bool count_include_pad = true;  // avg_pool2d only, as torch's default
};
Variable max_pool2d(const Variable& x, const Pool2dParams& p);
Variable avg_pool2d(const Variable& x, const Pool2dParams& p);
Variable global_avg_pool(const Variable& x);  // [N, C, H, W] -> [N, C]  (AdaptiveAvgPool2d(1) + flatten)
Variable global_max_pool(const Variable& x);  // [N, C, H, W] -> [N, C]

// --- regularisation: ops/dropout.cpp ---
Variable dropout(const Variable& x, float p, bool training, Generator& gen = global_generator());

// --- loss: ops/loss.cpp ---
// Fused log-softmax + mean negative log-likelihood over logits [N, K] and labels in [0, K).
// With label_smoothing e the target is (1 - e) one-hot + e / K uniform, as torch.
Variable cross_entropy(const Variable& logits, const std::vector<int64_t>& labels, float label_smoothing = 0.f);

// --- metrics (not differentiable; plain Tensors) ---
// core/kernels/metrics.h: topk_correct(logits [N, K], labels [N], k) -> how many samples have
// their label among the k largest logits (top-1 / top-5 accuracy numerators).

// --- attention primitives (ECA, CBAM, Gather-Excite; issue 15) ---
// ops/channel_reduce.cpp: per-pixel maps across the channels, and the broadcast of such a map.
// Tie rule of channel_max's backward: First sends the gradient to the lowest maximal channel
// (torch.max(x, dim=1), CPU); Split shares it evenly among all maximal channels (torch.amax,
// which timm's CBAM uses: pass MaxTies::Split for parity with it). They differ only on exact ties.
enum class MaxTies { First, Split };
Variable channel_mean(const Variable& x);                                    // [N, C, H, W] -> [N, 1, H, W]
Variable channel_max(const Variable& x, MaxTies ties = MaxTies::First);      // [N, C, H, W] -> [N, 1, H, W]
Variable spatial_scale(const Variable& x, const Variable& s);  // x [N,C,H,W] * s [N,1,H,W] -> [N,C,H,W]
// ops/channel_conv1d.cpp: ECA's convolution across channels, torch's conv1d(v.view(N, 1, C), w,
// padding=pad) without bias: v [N, C], w [1, 1, K] -> [N, C + 2 pad - K + 1] (= [N, C] for
// pad = (K - 1) / 2, K odd).
Variable channel_conv1d(const Variable& v, const Variable& w, int64_t pad);
// ops/upsample.cpp: F.interpolate(x, size=(out_h, out_w), mode='nearest'), index rule and all:
// [N, C, H, W] -> [N, C, out_h, out_w]; shrinking works too.
Variable upsample_nearest(const Variable& x, int64_t out_h, int64_t out_w);
// ops/cat.cpp: torch.cat(xs, dim); shapes equal except along dim (CBAM: [N,1,H,W] x 2 -> [N,2,H,W]).
Variable cat(const std::vector<Variable>& xs, int64_t dim);

}  // namespace excite
