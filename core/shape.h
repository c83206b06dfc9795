// core/shape.h — Shape: the sizes of a tensor's dimensions, outermost first (NCHW).
//
// Holds: the size list, element count, and printing as "[N, C, H, W]".
// Leaves out: strides (tensors here are always contiguous, see tensor.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

namespace excite {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int64_t dim() const { return static_cast<int64_t>(dims_.size()); }
  // Size of dimension d; negative d counts from the end (-1 is the last).
  int64_t operator[](int64_t d) const;
  int64_t& operator[](int64_t d);
  int64_t numel() const;
  const std::vector<int64_t>& dims() const { return dims_; }
  auto begin() const { return dims_.begin(); }
  auto end() const { return dims_.end(); }

  bool operator==(const Shape& other) const = default;
  std::string str() const;

 private:
  std::vector<int64_t> dims_;
};

std::ostream& operator<<(std::ostream& os, const Shape& shape);

}  // namespace excite
