// layers/simple.h — small parameter-free modules: Identity, Flatten, Dropout.
#pragma once

#include "layers/module.h"

namespace excite::layers {

class Identity : public Module {
 public:
  Identity() : Module("Identity") {}
  Variable forward(const Variable& x) override { return x; }
};

// [N, C, H, W] -> [N, C*H*W] (torch.nn.Flatten's default start_dim 1).
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1) : Module("Flatten"), start_dim_(start_dim) {}
  Variable forward(const Variable& x) override;

 private:
  int64_t start_dim_;
};

struct DropoutOptions {
  float p = 0.5f;
};

// Zeroes each element with probability p in training mode and scales the rest by 1/(1-p);
// the identity in eval mode. Draws from the global generator.
class Dropout : public Module {
 public:
  explicit Dropout(const DropoutOptions& options = {});
  Variable forward(const Variable& x) override;

 private:
  float p_;
};

}  // namespace excite::layers
