#include "layers/init.h"

#include <cmath>

namespace excite::layers {

Fans fans_of(const Shape& s) {
  EXCITE_CHECK(s.dim() >= 2, "init: fan in/out need a weight with at least 2 dimensions, got " << s);
  int64_t receptive = 1;
  for (int64_t d = 2; d < s.dim(); ++d) receptive *= s[d];
  return {s[1] * receptive, s[0] * receptive};
}

namespace {
thread_local bool skipping = false;
}

SkipInit::SkipInit() : outer_(skipping) { skipping = true; }
SkipInit::~SkipInit() { skipping = outer_; }

void uniform_(Tensor& t, float lo, float hi, Generator& gen) {
  if (skipping) return;
  for (float& v : t) v = gen.uniform(lo, hi);
}

void normal_(Tensor& t, float mean, float std, Generator& gen) {
  if (skipping) return;
  for (float& v : t) v = gen.normal(mean, std);
}

static int64_t fan_for(const Tensor& w, FanMode mode) {
  const Fans f = fans_of(w.shape());
  const int64_t fan = mode == FanMode::In ? f.in : f.out;
  EXCITE_CHECK(fan > 0, "init: zero fan for a weight of shape " << w.shape());
  return fan;
}

void kaiming_normal_(Tensor& w, FanMode mode, float gain, Generator& gen) {
  normal_(w, 0.f, gain / std::sqrt(static_cast<float>(fan_for(w, mode))), gen);
}

void kaiming_uniform_(Tensor& w, FanMode mode, float gain, Generator& gen) {
  const float bound = gain * std::sqrt(3.f / static_cast<float>(fan_for(w, mode)));
  uniform_(w, -bound, bound, gen);
}

// kaiming_uniform_(a = sqrt(5)): gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), so the bound is
// sqrt(1/3) * sqrt(3 / fan_in) = 1 / sqrt(fan_in); the bias uses the same bound.
void torch_default_init_(Tensor& weight, Tensor* bias, Generator& gen) {
  const float bound = 1.f / std::sqrt(static_cast<float>(fan_for(weight, FanMode::In)));
  uniform_(weight, -bound, bound, gen);
  if (bias != nullptr && bias->defined()) uniform_(*bias, -bound, bound, gen);
}

}  // namespace excite::layers
