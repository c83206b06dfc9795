#include "core/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <malloc.h>
#include <mutex>
#include <unordered_map>
#include <vector>
#include <sstream>

namespace excite {

// Training allocates and frees the same large activation and gradient buffers every step. glibc
// serves blocks above 128 KiB with fresh mmap()s by default, so every step would page-fault its
// whole working set in again (seen in perf as clear_page/page-fault time). Raising the mmap and
// trim thresholds once keeps freed blocks in the heap for reuse.
static void keep_large_blocks_in_heap() {
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)done;
}

// Freed blocks of 256 KiB and more (a batch of images, every activation), kept by exact size for
// the next tensor of that size. A training step asks for the same sizes every time, so after the
// first steps every large tensor reuses a block: the heap no longer fragments (with the blocks
// back in glibc's free lists, which split and merge them differently step by step, and in the
// arenas of the loader's threads, resident memory of a 20-epoch SE-ResNet-8 run crept up by
// 12 % after epoch 1; with the cache 0.6 %, bench/rss_flat.py), and no free-list search happens.
// Bounded: when the cached blocks pass kCacheLimit, all of them are returned to the heap. Any
// thread may free a tensor: one mutex.
// Off in sanitizer builds, where a reused block would hide a use after free (ASan) or put a
// mutex between the old owner and the new (TSan).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EXCITE_BLOCK_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define EXCITE_BLOCK_CACHE 0
#endif
#endif
#ifndef EXCITE_BLOCK_CACHE
#define EXCITE_BLOCK_CACHE 1
#endif

namespace {

class BlockCache {
 public:
  static constexpr size_t kMinBytes = EXCITE_BLOCK_CACHE ? size_t{256} << 10 : ~size_t{0};
  static constexpr size_t kCacheLimit = size_t{2} << 30;

  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(bytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cached_ -= bytes;
    return p;
  }
  size_t cached() {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_;
  }
  void give(void* p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_ + bytes > kCacheLimit) {
      for (auto& [size, blocks] : free_)
        for (void* q : blocks) std::free(q);
      free_.clear();
      cached_ = 0;
    }
    free_[bytes].push_back(p);
    cached_ += bytes;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_ = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: tensors may be freed during exit
  return *cache;
}

}  // namespace

StorageCacheStats storage_cache_stats() { return {BlockCache::kMinBytes, block_cache().cached()}; }

// 64-byte aligned storage: one cache line, the width of an AVX-512 register.
static std::shared_ptr<float[]> allocate(int64_t numel) {
  keep_large_blocks_in_heap();
  const size_t bytes = (static_cast<size_t>(std::max<int64_t>(numel, 1)) * sizeof(float) + 63) / 64 * 64;
  const bool reused = bytes >= BlockCache::kMinBytes;
  void* p = reused ? block_cache().take(bytes) : nullptr;
  if (p == nullptr) p = std::aligned_alloc(64, bytes);
  EXCITE_CHECK(p != nullptr, "tensor: out of memory allocating " << bytes << " bytes");
  if (!reused) return std::shared_ptr<float[]>(static_cast<float*>(p), [](float* q) { std::free(q); });
  return std::shared_ptr<float[]>(static_cast<float*>(p), [bytes](float* q) { block_cache().give(q, bytes); });
}

Tensor::Tensor(const Shape& shape) : shape_(shape), numel_(shape.numel()) {
  for (int64_t s : shape) EXCITE_CHECK(s >= 0, "tensor: negative size in shape " << shape);
  storage_ = allocate(numel_);
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::from(const Shape& shape, const std::vector<float>& values) {
  EXCITE_CHECK(static_cast<int64_t>(values.size()) == shape.numel(),
               "tensor: " << values.size() << " values given for shape " << shape << " (" << shape.numel()
                          << " elements)");
  Tensor t(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::uniform(const Shape& shape, float lo, float hi, Generator& gen) {
  Tensor t(shape);
  for (float& v : t) v = gen.uniform(lo, hi);
  return t;
}

Tensor Tensor::normal(const Shape& shape, float mean, float std, Generator& gen) {
  Tensor t(shape);
  for (float& v : t) v = gen.normal(mean, std);
  return t;
}

float& Tensor::operator[](int64_t i) {
  EXCITE_CHECK(i >= 0 && i < numel_, "tensor: flat index " << i << " out of range for " << shape_);
  return data()[i];
}

float Tensor::operator[](int64_t i) const {
  EXCITE_CHECK(i >= 0 && i < numel_, "tensor: flat index " << i << " out of range for " << shape_);
  return data()[i];
}

int64_t Tensor::flat_index(std::initializer_list<int64_t> index) const {
  EXCITE_CHECK(static_cast<int64_t>(index.size()) == dim(),
               "tensor: " << index.size() << " indices given for a " << dim() << "-d tensor " << shape_);
  int64_t flat = 0, d = 0;
  for (int64_t i : index) {
    EXCITE_CHECK(i >= 0 && i < shape_[d], "tensor: index " << i << " out of range in dimension " << d << " of " << shape_);
    flat = flat * shape_[d++] + i;
  }
  return flat;
}

float& Tensor::at(std::initializer_list<int64_t> index) { return data()[flat_index(index)]; }
float Tensor::at(std::initializer_list<int64_t> index) const { return data()[flat_index(index)]; }

float Tensor::item() const {
  EXCITE_CHECK(numel_ == 1, "tensor: item() needs exactly one element, got shape " << shape_);
  return data()[0];
}

Tensor Tensor::reshape(const Shape& shape) const {
  std::vector<int64_t> dims = shape.dims();
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      EXCITE_CHECK(infer < 0, "reshape: at most one -1 allowed, got " << shape);
      infer = static_cast<int64_t>(i);
    } else {
      EXCITE_CHECK(dims[i] >= 0, "reshape: negative size in " << shape);
      known *= dims[i];
    }
  }
  if (infer >= 0) {
    EXCITE_CHECK(known > 0 && numel_ % known == 0, "reshape: cannot view " << shape_ << " as " << shape);
    dims[infer] = numel_ / known;
  }
  Shape target(dims);
  EXCITE_CHECK(target.numel() == numel_,
               "reshape: cannot view " << shape_ << " (" << numel_ << " elements) as " << target << " ("
                                       << target.numel() << " elements)");
  Tensor view = *this;
  view.shape_ = target;
  return view;
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t(shape_);
  std::memcpy(t.data(), data(), sizeof(float) * numel_);
  return t;
}

void Tensor::fill(float value) { std::fill(begin(), end(), value); }

void Tensor::copy_from(const Tensor& other) {
  EXCITE_CHECK(other.numel() == numel_, "tensor: copy_from " << other.shape() << " into " << shape_ << " needs equal sizes");
  std::memcpy(data(), other.data(), sizeof(float) * numel_);
}

std::string Tensor::str(int64_t max_values) const {
  std::ostringstream os;
  os << "Tensor" << shape_ << " {";
  for (int64_t i = 0; i < std::min(numel_, max_values); ++i) os << (i ? ", " : "") << data()[i];
  if (numel_ > max_values) os << ", ...";
  os << "}";
  return os.str();
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXCITE_CHECK(a.shape() == b.shape(), "max_abs_diff: shapes differ, " << a.shape() << " vs " << b.shape());
  float m = 0.f;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const float d = std::fabs(a.data()[i] - b.data()[i]);
    if (!(d <= m)) m = std::isnan(d) ? std::numeric_limits<float>::infinity() : d;
  }
  return m;
}

bool all_finite(const Tensor& t) {
  for (float v : t)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace excite
