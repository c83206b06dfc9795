// Parity of the optimizers with torch.optim: parameter trajectories over several steps.
//
// The fixture "optim" (tests/reference/make_fixtures.py) holds per case the starting parameters
// `c.init.<p>` (a [3, 4] "weight" and a [5] "bias"), the gradient fed at each step
// `c.grad<k>.<p>` and torch's parameters after each step `c.step<k>.<p>`; the metadata lists the
// options. Cases named *_nodecay_1d put the bias in a second group with weight decay 0, as
// split_decay does for BN parameters and biases. Each step's parameters must match within 1e-4
// relative error (relative_error with a tiny floor: relative to the tensor's largest entry).
// Set EXCITE_PARITY_REPORT=1 to print the largest error of each case.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "apps/optim/optim_adamw.h"
#include "apps/optim/optim_sgd.h"
#include "apps/optim/schedule.h"
#include "fixtures.h"

using namespace excite;
using namespace excite::testing;
using nlohmann::json;

namespace {

constexpr float kTolerance = 1e-4f;

bool report_enabled() {
  const char* v = std::getenv("EXCITE_PARITY_REPORT");
  return v != nullptr && *v != '\0' && *v != '0';
}

std::vector<json> cases_of(const SafetensorsFile& f, const std::string& kind) {
  std::vector<json> out;
  for (const json& c : json::parse(f.metadata.at("cases")))
    if (c["kind"] == kind) out.push_back(c);
  return out;
}

// The parameters of case `c` at their starting values, and the groups torch used.
struct Problem {
  std::vector<layers::NamedParameter> params;
  std::vector<optim::ParamGroup> groups;
};

Problem make_problem(const SafetensorsFile& f, const json& c) {
  const std::string name = c["name"];
  Problem p;
  for (const std::string& k : c["params"].get<std::vector<std::string>>())
    p.params.push_back({k, Variable(f.at(name + ".init." + k).clone(), true)});
  if (c["weight_decay_1d"].is_null()) {
    p.groups.push_back({p.params, {}});
  } else {
    for (const auto& np : p.params) {
      if (np.value.dim() >= 2) p.groups.push_back({{np}, {}});
      else p.groups.push_back({{np}, c["weight_decay_1d"].get<float>()});
    }
  }
  return p;
}

// Feeds the stored gradients step by step and compares the parameters after every step.
void run_trajectory(const SafetensorsFile& f, const json& c, Problem& p, optim::Optimizer& opt) {
  const std::string name = c["name"];
  const int steps = c["steps"];
  float worst = 0.f;
  for (int k = 1; k <= steps; ++k) {
    for (auto& np : p.params) np.value.grad() = f.at(name + ".grad" + std::to_string(k) + "." + np.name).clone();
    opt.step();
    for (auto& np : p.params) {
      const std::string key = name + ".step" + std::to_string(k) + "." + np.name;
      const float err = relative_error(np.value.data(), f.at(key), 1e-12f);
      worst = std::max(worst, err);
      INFO(key << ": relative error " << err);
      CHECK(err <= kTolerance);
    }
  }
  if (report_enabled()) std::cout << "parity optim/" << name << " max rel_err over " << steps << " steps " << worst << "\n";
}

}  // namespace

TEST_CASE("parity: SGD trajectories (momentum, Nesterov, weight decay, a no-decay group) match torch.optim.SGD") {
  const SafetensorsFile f = load_fixture("optim");
  for (const json& c : cases_of(f, "sgd")) {
    SECTION(c["name"].get<std::string>()) {
      Problem p = make_problem(f, c);
      optim::SGD opt(p.groups, {.lr = c["lr"].get<float>(),
                                .momentum = c["momentum"].get<float>(),
                                .nesterov = c["nesterov"].get<bool>(),
                                .weight_decay = c["weight_decay"].get<float>()});
      run_trajectory(f, c, p, opt);
    }
  }
}

TEST_CASE("parity: AdamW trajectories (betas, eps, decoupled weight decay, a no-decay group) match torch.optim.AdamW") {
  const SafetensorsFile f = load_fixture("optim");
  for (const json& c : cases_of(f, "adamw")) {
    SECTION(c["name"].get<std::string>()) {
      Problem p = make_problem(f, c);
      optim::AdamW opt(p.groups, {.lr = c["lr"].get<float>(),
                                  .beta1 = c["betas"][0].get<float>(),
                                  .beta2 = c["betas"][1].get<float>(),
                                  .eps = c["eps"].get<float>(),
                                  .weight_decay = c["weight_decay"].get<float>()});
      run_trajectory(f, c, p, opt);
    }
  }
}

TEST_CASE("parity: LR schedules match torch.optim.lr_scheduler step by step") {
  const SafetensorsFile f = load_fixture("lr_schedules");
  for (const json& c : json::parse(f.metadata.at("cases"))) {
    const std::string name = c["name"];
    SECTION(name) {
      const float base = c["base_lr"];
      std::optional<optim::Schedule> s;
      if (name == "step") {
        s = optim::step_decay({.base_lr = base, .step_size = c["step_size"], .gamma = c["gamma"]});
      } else if (name == "multistep") {
        s = optim::multistep({.base_lr = base, .milestones = c["milestones"], .gamma = c["gamma"]});
      } else if (name == "cosine" || name == "cosine_min") {
        s = optim::cosine({.base_lr = base, .total_steps = c["total"], .min_lr = c["min_lr"]});
      } else if (name == "linear_warmup") {
        s = optim::with_warmup(optim::constant(base), {.steps = c["warmup"], .start_factor = c["start_factor"]});
      } else if (name == "warmup_cosine") {
        s = optim::with_warmup(optim::cosine({.base_lr = base, .total_steps = c["total"], .min_lr = c["min_lr"]}),
                               {.steps = c["warmup"], .start_factor = c["start_factor"]});
      } else if (name == "onecycle" || name == "onecycle_linear") {
        s = optim::one_cycle({.max_lr = c["max_lr"],
                              .total_steps = c["total"],
                              .pct_start = c["pct_start"],
                              .div_factor = c["div_factor"],
                              .final_div_factor = c["final_div_factor"],
                              .anneal = name == "onecycle" ? optim::Anneal::Cos : optim::Anneal::Linear});
      } else {
        FAIL("no excite schedule for fixture case " << name);
      }
      const Tensor& expected = f.at(name + ".lr");
      Tensor actual(expected.shape());
      for (int64_t step = 0; step < expected.numel(); ++step) actual[step] = (*s)(step);
      const float err = relative_error(actual, expected, 1e-12f);
      if (report_enabled()) std::cout << "parity lr_schedule/" << name << " max rel_err " << err << "\n";
      INFO(name << ": excite " << actual.str(30) << "\n torch " << expected.str(30));
      CHECK(err <= kTolerance);
    }
  }
}
