#include "core/shape.h"

#include "core/error.h"

namespace excite {

static int64_t wrap_dim(int64_t d, int64_t rank) {
  const int64_t w = d < 0 ? d + rank : d;
  EXCITE_CHECK(w >= 0 && w < rank, "shape: dimension " << d << " out of range for a " << rank << "-d shape");
  return w;
}

int64_t Shape::operator[](int64_t d) const { return dims_[wrap_dim(d, dim())]; }
int64_t& Shape::operator[](int64_t d) { return dims_[wrap_dim(d, dim())]; }

int64_t Shape::numel() const {
  int64_t n = 1;
  // Checked: a size from a command line or a file header ([1, 3, 2e9, 2e9]) must be an error,
  // not a wrapped product that allocates too little (found by tests/apps/cli/test_cli_errors.cpp).
  for (int64_t s : dims_)
    EXCITE_CHECK(!__builtin_mul_overflow(n, s, &n), "shape: " << str() << " has more elements than fit in 64 bits");
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.str(); }

}  // namespace excite
