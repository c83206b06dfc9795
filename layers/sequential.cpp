#include "layers/sequential.h"

namespace excite::layers {

Sequential::Sequential(std::initializer_list<ModulePtr> modules) : Module("Sequential") {
  for (const ModulePtr& m : modules) push_back(m);
}

const ModulePtr& Sequential::operator[](int64_t i) const {
  EXCITE_CHECK(i >= 0 && i < size(), label() << ": index " << i << " out of range for " << size() << " modules");
  return items_[i];
}

Variable Sequential::forward(const Variable& x) {
  Variable y = x;
  for (const ModulePtr& m : items_) y = (*m)(y);
  return y;
}

}  // namespace excite::layers
