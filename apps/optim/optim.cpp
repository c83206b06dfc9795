#include "apps/optim/optim.h"

#include <set>

namespace excite::optim {

Params::Params(const std::vector<Variable>& plain) {
  ParamGroup g;
  for (size_t i = 0; i < plain.size(); ++i) g.params.push_back({std::to_string(i), plain[i]});
  groups.push_back(std::move(g));
}

Params::Params(const std::vector<NamedParameter>& named) { groups.push_back({named, {}}); }

std::vector<ParamGroup> split_decay(const std::vector<NamedParameter>& params) {
  ParamGroup decay, no_decay;
  no_decay.weight_decay = 0.f;
  for (const NamedParameter& p : params) (p.value.dim() >= 2 ? decay : no_decay).params.push_back(p);
  return {decay, no_decay};
}

Optimizer::Optimizer(const char* name, Params params, float lr) : name_(name), groups_(std::move(params.groups)) {
  set_lr(lr);
}

void Optimizer::set_lr(float lr) {
  EXCITE_CHECK(lr >= 0.f, name_ << ": learning rate must be >= 0, got " << lr);
  lr_ = lr;
}

void Optimizer::resolve(float default_weight_decay) {
  std::set<std::string> names;
  std::set<const void*> seen;
  for (const ParamGroup& g : groups_) {
    const float wd = g.weight_decay.value_or(default_weight_decay);
    EXCITE_CHECK(wd >= 0.f, name_ << ": weight decay must be >= 0, got " << wd);
    for (const NamedParameter& p : g.params) {
      EXCITE_CHECK(p.value.defined(), name_ << ": parameter '" << p.name << "' is undefined");
      EXCITE_CHECK(names.insert(p.name).second, name_ << ": two parameters are both named '" << p.name << "'");
      EXCITE_CHECK(seen.insert(p.value.impl()).second,
                   name_ << ": parameter '" << p.name << "' appears twice (in two groups?)");
      slots_.push_back({p, wd});
    }
  }
}

std::pair<int64_t, std::string> Optimizer::split_key(const std::string& key) const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    const std::string& n = slots_[i].param.name;
    if (key.size() > n.size() + 1 && key.compare(0, n.size(), n) == 0 && key[n.size()] == '.') {
      const std::string suffix = key.substr(n.size() + 1);
      if (suffix.find('.') == std::string::npos) return {static_cast<int64_t>(i), suffix};
    }
  }
  return {-1, ""};
}

void Optimizer::zero_grad() {
  for (Slot& s : slots_) s.param.value.zero_grad();
}

}  // namespace excite::optim
