#include "apps/optim/optim_sgd.h"

#include "core/parallel.h"

namespace excite::optim {

SGD::SGD(Params params, const SGDOptions& o) : Optimizer("SGD", std::move(params), o.lr), options_(o) {
  EXCITE_CHECK(o.momentum >= 0.f && o.dampening >= 0.f,
               "SGD: momentum and dampening must be >= 0, got " << o.momentum << " and " << o.dampening);
  EXCITE_CHECK(!o.nesterov || (o.momentum > 0.f && o.dampening == 0.f),
               "SGD: Nesterov momentum requires momentum > 0 and dampening 0, got momentum " << o.momentum
                                                                                             << " dampening " << o.dampening);
  resolve(o.weight_decay);
  momentum_.resize(slots_.size());
}

void SGD::step() {
  const float lr = lr_, mu = options_.momentum, damp = 1.f - options_.dampening;
  const bool nesterov = options_.nesterov;
  for (size_t i = 0; i < slots_.size(); ++i) {
    Variable& p = slots_[i].param.value;
    if (!p.grad().defined()) continue;
    const float wd = slots_[i].weight_decay;
    const int64_t n = p.numel();
    EXCITE_CHECK(p.grad().numel() == n, "SGD: gradient of '" << slots_[i].param.name << "' has shape "
                                                              << p.grad().shape() << ", the parameter " << p.shape());
    float* w = p.data().data();
    const float* g = p.grad().data();
    const bool first = mu != 0.f && !momentum_[i].defined();
    if (first) momentum_[i] = Tensor(p.shape());
    float* buf = mu != 0.f ? momentum_[i].data() : nullptr;
    parallel_for(n, [&](int64_t j) {
      float d = wd != 0.f ? g[j] + wd * w[j] : g[j];
      if (buf != nullptr) {
        buf[j] = first ? d : mu * buf[j] + damp * d;
        d = nesterov ? d + mu * buf[j] : buf[j];
      }
      w[j] -= lr * d;
    }, 1 << 15);
  }
}

std::vector<NamedTensor> SGD::state() const {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < slots_.size(); ++i)
    if (momentum_[i].defined()) out.push_back({slots_[i].param.name + ".momentum_buffer", momentum_[i], DType::F32});
  return out;
}

void SGD::load_state(const std::vector<NamedTensor>& state) {
  std::vector<Tensor> loaded(slots_.size());
  for (const NamedTensor& t : state) {
    auto [i, suffix] = split_key(t.name);
    EXCITE_CHECK(i >= 0 && suffix == "momentum_buffer",
                 "SGD: load_state: the key '" << t.name << "' names no parameter's momentum_buffer");
    EXCITE_CHECK(t.value.shape() == slots_[i].param.value.shape(),
                 "SGD: load_state: '" << t.name << "' has shape " << t.value.shape() << ", the parameter "
                                      << slots_[i].param.value.shape());
    loaded[i] = t.value.clone();
  }
  momentum_ = std::move(loaded);
}

}  // namespace excite::optim
