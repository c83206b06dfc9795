#include "apps/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace excite::optim {

float Schedule::operator()(int64_t step) const {
  EXCITE_CHECK(step >= 0, "schedule: step must be >= 0, got " << step);
  return static_cast<float>(fn_(step));
}

Schedule constant(float lr) {
  return Schedule([lr](int64_t) { return static_cast<double>(lr); });
}

Schedule step_decay(const StepDecayOptions& o) {
  EXCITE_CHECK(o.step_size > 0, "step_decay: step_size must be positive, got " << o.step_size);
  return Schedule([o](int64_t step) {
    return o.base_lr * std::pow(static_cast<double>(o.gamma), static_cast<double>(step / o.step_size));
  });
}

Schedule multistep(const MultiStepOptions& o) {
  std::vector<int64_t> milestones = o.milestones;
  std::sort(milestones.begin(), milestones.end());
  return Schedule([o, milestones](int64_t step) {
    const auto passed = std::upper_bound(milestones.begin(), milestones.end(), step) - milestones.begin();
    return o.base_lr * std::pow(static_cast<double>(o.gamma), static_cast<double>(passed));
  });
}

Schedule cosine(const CosineOptions& o) {
  EXCITE_CHECK(o.total_steps > 0, "cosine: total_steps must be positive, got " << o.total_steps);
  return Schedule([o](int64_t step) {
    const double t = static_cast<double>(std::min(step, o.total_steps)) / static_cast<double>(o.total_steps);
    return o.min_lr + (static_cast<double>(o.base_lr) - o.min_lr) * (1.0 + std::cos(std::numbers::pi * t)) / 2.0;
  });
}

Schedule with_warmup(Schedule after, const WarmupOptions& o) {
  EXCITE_CHECK(o.steps >= 0 && o.start_factor >= 0.f && o.start_factor <= 1.f,
               "with_warmup: expected steps >= 0 and start_factor in [0, 1], got steps=" << o.steps
                                                                                          << " start_factor=" << o.start_factor);
  return Schedule([after = std::move(after), o](int64_t step) {
    if (step >= o.steps) return static_cast<double>(after(step - o.steps));
    const double factor = o.start_factor + (1.0 - o.start_factor) * static_cast<double>(step) / o.steps;
    return after(0) * factor;
  });
}

namespace {

double anneal(Anneal how, double start, double end, double pct) {
  if (how == Anneal::Cos) return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1.0);
  return (end - start) * pct + start;
}

}  // namespace

// torch's OneCycleLR.get_lr: phases end at fractional steps; the last phase takes every step
// after the previous ones.
Schedule one_cycle(const OneCycleOptions& o) {
  EXCITE_CHECK(o.total_steps > 0 && o.pct_start > 0.0 && o.pct_start < 1.0 && o.div_factor > 0.f &&
                   o.final_div_factor > 0.f,
               "one_cycle: expected total_steps > 0, pct_start in (0, 1) and positive div factors, got total_steps="
                   << o.total_steps << " pct_start=" << o.pct_start);
  struct Phase {
    double end_step, start_lr, end_lr;
  };
  const double max_lr = o.max_lr, initial = max_lr / o.div_factor, min_lr = initial / o.final_div_factor;
  const double up_end = o.pct_start * static_cast<double>(o.total_steps) - 1.0;
  const double last = static_cast<double>(o.total_steps) - 1.0;
  std::vector<Phase> phases;
  if (o.three_phase) {
    phases = {{up_end, initial, max_lr}, {2.0 * o.pct_start * o.total_steps - 2.0, max_lr, initial}, {last, initial, min_lr}};
  } else {
    phases = {{up_end, initial, max_lr}, {last, max_lr, min_lr}};
  }
  return Schedule([o, phases](int64_t step) {
    EXCITE_CHECK(step <= o.total_steps,
                 "one_cycle: step " << step << " is past total_steps " << o.total_steps << " (as torch refuses)");
    const double s = static_cast<double>(step);
    double start_step = 0.0;
    for (size_t i = 0; i < phases.size(); ++i) {
      const Phase& p = phases[i];
      if (s <= p.end_step || i + 1 == phases.size()) {
        return anneal(o.anneal, p.start_lr, p.end_lr, (s - start_step) / (p.end_step - start_step));
      }
      start_step = p.end_step;
    }
    return 0.0;  // unreachable: the last phase always answers
  });
}

}  // namespace excite::optim
