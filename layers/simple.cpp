#include "layers/simple.h"

namespace excite::layers {

Variable Flatten::forward(const Variable& x) {
  EXCITE_CHECK(x.dim() > start_dim_, label() << ": cannot flatten from dimension " << start_dim_ << " an input "
                                             << x.shape() << " of " << x.dim() << " dimensions");
  return flatten(x, start_dim_);
}

Dropout::Dropout(const DropoutOptions& o) : Module("Dropout"), p_(o.p) {
  EXCITE_CHECK(p_ >= 0.f && p_ < 1.f, "Dropout: p must be in [0, 1), got " << p_);
}

Variable Dropout::forward(const Variable& x) { return dropout(x, p_, is_training()); }

Variable Group::forward(const Variable&) { EXCITE_FAIL(label() << ": a holder of children, not called"); }

}  // namespace excite::layers
