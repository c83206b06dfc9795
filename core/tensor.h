// core/tensor.h — Tensor: contiguous float32 data with a Shape, on shared storage.
//
// Holds: factories (zeros, ones, full, from values, uniform/normal from the seeded generator),
// reshape as a view, clone, element access, printing. Storage is 64-byte aligned for SIMD and
// shared between a tensor and its views; copying a Tensor copies the handle, not the data.
// Leaves out: strides and non-contiguous views (a view is a reshape), dtypes other than float32,
// arithmetic (raw kernels live in core/kernels/*, differentiable ops in autograd/).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "core/shape.h"

namespace excite {

class Tensor {
 public:
  Tensor() = default;  // undefined: no storage, defined() is false
  // Uninitialised contents; use zeros() when the values matter.
  explicit Tensor(const Shape& shape);

  static Tensor empty(const Shape& shape) { return Tensor(shape); }
  static Tensor zeros(const Shape& shape) { return full(shape, 0.f); }
  static Tensor ones(const Shape& shape) { return full(shape, 1.f); }
  static Tensor full(const Shape& shape, float value);
  static Tensor from(const Shape& shape, const std::vector<float>& values);
  static Tensor uniform(const Shape& shape, float lo, float hi, Generator& gen = global_generator());
  static Tensor normal(const Shape& shape, float mean, float std, Generator& gen = global_generator());

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int64_t dim() const { return shape_.dim(); }
  int64_t size(int64_t d) const { return shape_[d]; }
  int64_t numel() const { return numel_; }

  float* data() { return storage_.get() + offset_; }
  const float* data() const { return storage_.get() + offset_; }
  float* begin() { return data(); }
  float* end() { return data() + numel_; }
  const float* begin() const { return data(); }
  const float* end() const { return data() + numel_; }

  // Flat element access, and access by full index ({n, c, h, w}), both bounds-checked.
  float& operator[](int64_t i);
  float operator[](int64_t i) const;
  float& at(std::initializer_list<int64_t> index);
  float at(std::initializer_list<int64_t> index) const;
  float item() const;  // the value of a one-element tensor

  // A view on the same storage with another shape of equal element count; one -1 is inferred.
  Tensor reshape(const Shape& shape) const;
  Tensor clone() const;
  void fill(float value);
  void copy_from(const Tensor& other);  // same element count required
  bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }
  // No other tensor or view holds this storage: writing into it is seen by no one else.
  bool sole_owner() const { return storage_ != nullptr && storage_.use_count() == 1; }
  std::vector<float> to_vector() const { return {begin(), end()}; }
  std::string str(int64_t max_values = 8) const;

 private:
  int64_t flat_index(std::initializer_list<int64_t> index) const;

  std::shared_ptr<float[]> storage_;
  Shape shape_;
  int64_t numel_ = 0;
  int64_t offset_ = 0;
};

// Element-wise comparison helpers for tests and sanity checks.
float max_abs_diff(const Tensor& a, const Tensor& b);
bool all_finite(const Tensor& t);

// The storage of tensors of 256 KiB and more is reused by exact size (core/tensor.cpp: a training
// step asks for the same sizes every time; without reuse the heap fragments and resident memory
// creeps up). min_bytes is SIZE_MAX when reuse is off (sanitizer builds).
struct StorageCacheStats {
  size_t min_bytes = 0;     // the smallest block kept for reuse
  size_t cached_bytes = 0;  // freed blocks held now
};
StorageCacheStats storage_cache_stats();

}  // namespace excite
