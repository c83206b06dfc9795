#include "apps/optim/optim_adamw.h"

#include <cmath>

#include "core/parallel.h"

namespace excite::optim {

AdamW::AdamW(Params params, const AdamWOptions& o) : Optimizer("AdamW", std::move(params), o.lr), options_(o) {
  EXCITE_CHECK(o.beta1 >= 0.f && o.beta1 < 1.f && o.beta2 >= 0.f && o.beta2 < 1.f,
               "AdamW: betas must be in [0, 1), got " << o.beta1 << " and " << o.beta2);
  EXCITE_CHECK(o.eps >= 0.f, "AdamW: eps must be >= 0, got " << o.eps);
  resolve(o.weight_decay);
  moments_.resize(slots_.size());
}

void AdamW::step() {
  const float lr = lr_, b1 = options_.beta1, b2 = options_.beta2, eps = options_.eps;
  for (size_t i = 0; i < slots_.size(); ++i) {
    Variable& p = slots_[i].param.value;
    if (!p.grad().defined()) continue;
    const int64_t n = p.numel();
    EXCITE_CHECK(p.grad().numel() == n, "AdamW: gradient of '" << slots_[i].param.name << "' has shape "
                                                                << p.grad().shape() << ", the parameter " << p.shape());
    Moments& s = moments_[i];
    if (!s.exp_avg.defined()) {
      s.exp_avg = Tensor::zeros(p.shape());
      s.exp_avg_sq = Tensor::zeros(p.shape());
    }
    ++s.step;
    // Bias corrections in double, as torch computes them from a Python float step.
    const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(s.step));
    const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(s.step));
    const float step_size = static_cast<float>(lr / bc1);
    const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
    const float decay = 1.f - lr * slots_[i].weight_decay;
    float* w = p.data().data();
    const float* g = p.grad().data();
    float* m = s.exp_avg.data();
    float* v = s.exp_avg_sq.data();
    parallel_for(n, [&](int64_t j) {
      w[j] *= decay;
      m[j] = b1 * m[j] + (1.f - b1) * g[j];
      v[j] = b2 * v[j] + (1.f - b2) * g[j] * g[j];
      w[j] -= step_size * (m[j] / (std::sqrt(v[j]) / bc2_sqrt + eps));
    }, 1 << 15);
  }
}

std::vector<NamedTensor> AdamW::state() const {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Moments& s = moments_[i];
    if (!s.exp_avg.defined()) continue;
    const std::string& n = slots_[i].param.name;
    out.push_back({n + ".exp_avg", s.exp_avg, DType::F32});
    out.push_back({n + ".exp_avg_sq", s.exp_avg_sq, DType::F32});
    out.push_back({n + ".step", Tensor::full(Shape{}, static_cast<float>(s.step)), DType::F32});
  }
  return out;
}

void AdamW::load_state(const std::vector<NamedTensor>& state) {
  std::vector<Moments> loaded(slots_.size());
  std::vector<int> parts(slots_.size(), 0);
  for (const NamedTensor& t : state) {
    auto [i, suffix] = split_key(t.name);
    const bool known = i >= 0 && (suffix == "exp_avg" || suffix == "exp_avg_sq" || suffix == "step");
    EXCITE_CHECK(known, "AdamW: load_state: the key '" << t.name << "' names no parameter's exp_avg, exp_avg_sq or step");
    const Shape want = suffix == "step" ? Shape{} : slots_[i].param.value.shape();
    EXCITE_CHECK(t.value.shape() == want, "AdamW: load_state: '" << t.name << "' has shape " << t.value.shape()
                                                                 << ", expected " << want);
    Moments& s = loaded[i];
    if (suffix == "exp_avg") s.exp_avg = t.value.clone();
    if (suffix == "exp_avg_sq") s.exp_avg_sq = t.value.clone();
    if (suffix == "step") s.step = static_cast<int64_t>(t.value.item());
    ++parts[i];
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    EXCITE_CHECK(parts[i] == 0 || (parts[i] == 3 && loaded[i].exp_avg.defined() && loaded[i].exp_avg_sq.defined()),
                 "AdamW: load_state: '" << slots_[i].param.name << "' needs all of exp_avg, exp_avg_sq and step");
  }
  moments_ = std::move(loaded);
}

}  // namespace excite::optim
