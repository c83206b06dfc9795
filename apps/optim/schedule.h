// apps/optim/schedule.h — learning-rate schedules as pure functions of the step.
//
// A Schedule maps the number of optimizer steps already taken (0 for the first step) to the
// learning rate of the next one; the training loop calls opt.set_lr(schedule(step)) before each
// opt.step(). Being pure, a schedule needs no state in a checkpoint: resuming at step s just
// evaluates it at s. The values equal torch.optim.lr_scheduler's after `step` calls of
// scheduler.step():
//   step_decay    StepLR:        base * gamma^floor(step / step_size)
//   multistep     MultiStepLR:   base * gamma^(number of milestones <= step)
//   cosine        CosineAnnealingLR: min + (base - min) (1 + cos(pi step / total)) / 2, held at
//                 min after `total` (torch's closed form would rise again)
//   with_warmup   LinearLR followed by another schedule (torch's SequentialLR): for step < steps
//                 the rate rises linearly from start_factor * after(0) to after(0); from then on
//                 it is after(step - steps), so the schedule after the warm-up starts fresh:
//                 with_warmup(cosine({.base_lr = 0.2f, .total_steps = T - W}), {.steps = W})
//                 warms up to 0.2 over W steps then anneals to 0 at step T.
//   one_cycle     OneCycleLR (cycle_momentum off): from max/div_factor up to max over the first
//                 pct_start of the steps, then down to max/(div_factor*final_div_factor), cosine
//                 or linear; three_phase as torch.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace excite::optim {

class Schedule {
 public:
  using Fn = std::function<double(int64_t step)>;
  explicit Schedule(Fn fn) : fn_(std::move(fn)) {}
  float operator()(int64_t step) const;  // throws for a negative step

 private:
  Fn fn_;
};

Schedule constant(float lr);

struct StepDecayOptions {
  float base_lr = 0.1f;
  int64_t step_size = 1;
  float gamma = 0.1f;
};
Schedule step_decay(const StepDecayOptions& options);

struct MultiStepOptions {
  float base_lr = 0.1f;
  std::vector<int64_t> milestones = {};
  float gamma = 0.1f;
};
Schedule multistep(const MultiStepOptions& options);

struct CosineOptions {
  float base_lr = 0.1f;
  int64_t total_steps = 1;
  float min_lr = 0.f;
};
Schedule cosine(const CosineOptions& options);

struct WarmupOptions {
  int64_t steps = 0;
  float start_factor = 0.f;  // the first step's rate as a fraction of after(0); torch's LinearLR
                             // default is 1/3
};
Schedule with_warmup(Schedule after, const WarmupOptions& options);

enum class Anneal { Cos, Linear };

struct OneCycleOptions {
  float max_lr = 0.1f;
  int64_t total_steps = 1;
  double pct_start = 0.3;
  float div_factor = 25.f;
  float final_div_factor = 1e4f;
  Anneal anneal = Anneal::Cos;
  bool three_phase = false;
};
Schedule one_cycle(const OneCycleOptions& options);

}  // namespace excite::optim
