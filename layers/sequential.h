// layers/sequential.h — Sequential: children named "0", "1", ... applied in order, as
// torch.nn.Sequential. An empty Sequential is the identity (the seed's shortcut when the shape
// does not change), and has no parameters.
#pragma once

#include <initializer_list>

#include "layers/module.h"

namespace excite::layers {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  Sequential(std::initializer_list<ModulePtr> modules);

  // Appends `module` under the next index; returns it for typed access.
  template <typename M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    items_.push_back(module);
    return register_module(std::to_string(items_.size() - 1), std::move(module));
  }
  int64_t size() const { return static_cast<int64_t>(items_.size()); }
  bool empty() const { return items_.empty(); }
  const ModulePtr& operator[](int64_t i) const;

  Variable forward(const Variable& x) override;

 private:
  std::vector<ModulePtr> items_;
};

}  // namespace excite::layers
