// tests/fixture_hash.h — the hash that tests/reference/make_fixtures.py (and
// make_attention_fixtures.py) use to generate weights and inputs by name instead of storing them,
// and to summarise a large tensor by a signed projection: the C++ side regenerates the same
// values bit for bit. FNV-1a of the name seeds lowbias32 per element.
#pragma once

#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace excite::testing {

inline uint32_t fnv1a32(const std::string& text) {
  uint32_t h = 0x811C9DC5u;
  for (unsigned char c : text) h = (h ^ c) * 0x01000193u;
  return h;
}

inline uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

inline uint32_t hash_bits(uint32_t seed, int64_t i) { return lowbias32(lowbias32(static_cast<uint32_t>(i)) ^ seed); }

inline Tensor hash_uniform(const std::string& name, const Shape& shape, float lo, float hi) {
  Tensor t(shape);
  const uint32_t seed = fnv1a32(name);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double u = static_cast<double>(hash_bits(seed, i) >> 8) / 16777216.0;
    t[i] = static_cast<float>(static_cast<double>(lo) + (static_cast<double>(hi) - static_cast<double>(lo)) * u);
  }
  return t;
}

inline double hash_projection(const std::string& name, const Tensor& t) {
  const uint32_t seed = fnv1a32(name);
  double p = 0;
  for (int64_t i = 0; i < t.numel(); ++i) p += (hash_bits(seed, i) >> 31) ? -double(t[i]) : double(t[i]);
  return p;
}

}  // namespace excite::testing
