// layers/simple.h — small parameter-free modules: Identity, Flatten, Dropout, and Group.
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

// A named holder of children, never called itself: the nesting that gives a module its PyTorch
// state-dict keys where the parent calls the children directly (timm's CBAM `channel.fc1`,
// Gather-Excite's `gather.conv1`). `type` is what summaries print for it.
class Group final : public Module {
 public:
  explicit Group(std::string type) : Module(std::move(type)) {}
  Variable forward(const Variable&) override;
  template <typename M>
  std::shared_ptr<M> add(const std::string& name, std::shared_ptr<M> m) {
    return register_module(name, std::move(m));
  }
};

}  // namespace excite::layers
