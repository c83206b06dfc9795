#include "layers/pooling.h"

namespace excite::layers {

namespace {

Pool2dParams make_params(const char* type, int64_t kernel, std::optional<int64_t> stride, int64_t padding) {
  const int64_t s = stride.value_or(kernel);
  EXCITE_CHECK(kernel > 0 && s > 0 && padding >= 0 && 2 * padding <= kernel,
               type << ": invalid options kernel=" << kernel << " stride=" << s << " padding=" << padding
                    << " (padding must be at most half the kernel, as torch)");
  Pool2dParams p;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = s;
  p.pad_h = p.pad_w = padding;
  return p;
}

void check_window(const Module& m, const Variable& x, const Pool2dParams& p) {
  EXCITE_CHECK(x.dim() == 4, m.label() << ": expected input [N, C, H, W], got " << x.shape());
  EXCITE_CHECK(x.size(2) + 2 * p.pad_h >= p.kernel_h && x.size(3) + 2 * p.pad_w >= p.kernel_w,
               m.label() << ": input " << x.shape() << " is smaller than the window [" << p.kernel_h << ", "
                         << p.kernel_w << "] with padding " << p.pad_h);
}

void check_4d(const Module& m, const Variable& x) {
  EXCITE_CHECK(x.dim() == 4 && x.size(2) > 0 && x.size(3) > 0,
               m.label() << ": expected input [N, C, H, W], got " << x.shape());
}

}  // namespace

MaxPool2d::MaxPool2d(const MaxPool2dOptions& o)
    : Module("MaxPool2d"), params_(make_params("MaxPool2d", o.kernel, o.stride, o.padding)) {}

Variable MaxPool2d::forward(const Variable& x) {
  check_window(*this, x, params_);
  return max_pool2d(x, params_);
}

AvgPool2d::AvgPool2d(const AvgPool2dOptions& o)
    : Module("AvgPool2d"), params_(make_params("AvgPool2d", o.kernel, o.stride, o.padding)) {
  params_.count_include_pad = o.count_include_pad;
}

Variable AvgPool2d::forward(const Variable& x) {
  check_window(*this, x, params_);
  return avg_pool2d(x, params_);
}

Variable AdaptiveAvgPool2d::forward(const Variable& x) {
  check_4d(*this, x);
  return reshape(global_avg_pool(x), {x.size(0), x.size(1), 1, 1});
}

Variable AdaptiveMaxPool2d::forward(const Variable& x) {
  check_4d(*this, x);
  return reshape(global_max_pool(x), {x.size(0), x.size(1), 1, 1});
}

}  // namespace excite::layers
