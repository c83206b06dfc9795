// layers/pooling.h — pooling modules (no parameters), as torch.nn.MaxPool2d, AvgPool2d and
// AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1).
//
// The adaptive pools support output size 1 only (the global pools of the classifier head and the
// SE squeeze) and keep torch's [N, C, 1, 1] output; flatten it (Flatten, or the ops
// global_avg_pool/global_max_pool that give [N, C] directly). ceil_mode is not supported.
#pragma once

#include <optional>

#include "layers/module.h"

namespace excite::layers {

struct MaxPool2dOptions {
  int64_t kernel = 2;
  std::optional<int64_t> stride = {};  // torch's default: the kernel size
  int64_t padding = 0;
};

struct AvgPool2dOptions {
  int64_t kernel = 2;
  std::optional<int64_t> stride = {};  // torch's default: the kernel size
  int64_t padding = 0;
  bool count_include_pad = true;
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const MaxPool2dOptions& options);
  Variable forward(const Variable& x) override;

 private:
  Pool2dParams params_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const AvgPool2dOptions& options);
  Variable forward(const Variable& x) override;

 private:
  Pool2dParams params_;
};

// [N, C, H, W] -> [N, C, 1, 1], the mean over H and W.
class AdaptiveAvgPool2d : public Module {
 public:
  AdaptiveAvgPool2d() : Module("AdaptiveAvgPool2d") {}
  Variable forward(const Variable& x) override;
};

// [N, C, H, W] -> [N, C, 1, 1], the maximum over H and W.
class AdaptiveMaxPool2d : public Module {
 public:
  AdaptiveMaxPool2d() : Module("AdaptiveMaxPool2d") {}
  Variable forward(const Variable& x) override;
};

}  // namespace excite::layers
