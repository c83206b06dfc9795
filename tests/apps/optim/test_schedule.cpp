// Learning-rate schedules at known steps (values worked out from torch's formulas).
#include <catch2/catch.hpp>

#include <cmath>

#include "apps/optim/schedule.h"
#include "core/error.h"

using namespace excite;
using namespace excite::optim;

TEST_CASE("schedule: constant, step and multistep") {
  CHECK(constant(0.3f)(0) == 0.3f);
  CHECK(constant(0.3f)(1000) == 0.3f);
  Schedule s = step_decay({.base_lr = 0.1f, .step_size = 3, .gamma = 0.5f});
  CHECK(s(0) == Approx(0.1f));
  CHECK(s(2) == Approx(0.1f));
  CHECK(s(3) == Approx(0.05f));
  CHECK(s(6) == Approx(0.025f));
  Schedule m = multistep({.base_lr = 1.f, .milestones = {5, 2}, .gamma = 0.1f});
  CHECK(m(1) == Approx(1.f));
  CHECK(m(2) == Approx(0.1f));
  CHECK(m(4) == Approx(0.1f));
  CHECK(m(5) == Approx(0.01f));
  CHECK_THROWS_AS(s(-1), Error);
}

TEST_CASE("schedule: cosine annealing, held at the minimum past the end") {
  Schedule c = cosine({.base_lr = 1.f, .total_steps = 10});
  CHECK(c(0) == Approx(1.f));
  CHECK(c(5) == Approx(0.5f));
  CHECK(c(10) == Approx(0.f).margin(1e-7));
  CHECK(c(12) == Approx(0.f).margin(1e-7));
  Schedule m = cosine({.base_lr = 1.f, .total_steps = 10, .min_lr = 0.1f});
  CHECK(m(5) == Approx(0.55f));
  CHECK(m(10) == Approx(0.1f));
}

TEST_CASE("schedule: linear warm-up, alone and before cosine") {
  Schedule w = with_warmup(constant(0.2f), {.steps = 4, .start_factor = 0.1f});  // torch's LinearLR
  CHECK(w(0) == Approx(0.02f));
  CHECK(w(2) == Approx(0.2f * (0.1f + 0.9f * 0.5f)));
  CHECK(w(4) == Approx(0.2f));
  CHECK(w(100) == Approx(0.2f));
  // Warm up to 1 over 5 steps, then a cosine over the next 10.
  Schedule wc = with_warmup(cosine({.base_lr = 1.f, .total_steps = 10}), {.steps = 5});
  CHECK(wc(0) == 0.f);
  CHECK(wc(1) == Approx(0.2f));
  CHECK(wc(5) == Approx(1.f));
  CHECK(wc(10) == Approx(0.5f));
  CHECK(wc(15) == Approx(0.f).margin(1e-7));
}

TEST_CASE("schedule: one-cycle as torch's OneCycleLR") {
  // max 1, div 25: starts at 0.04, peaks at step pct_start * total - 1 = 2, ends at 0.04 / 1e4
  // at step total - 1 = 9. Step 1 is halfway up: cos gives 1 + (0.04 - 1) / 2 = 0.52.
  Schedule s = one_cycle({.max_lr = 1.f, .total_steps = 10, .pct_start = 0.3});
  CHECK(s(0) == Approx(0.04f));
  CHECK(s(1) == Approx(0.52f));
  CHECK(s(2) == Approx(1.f));
  CHECK(s(9) == Approx(4e-6f));
  // Down phase from step 2 to 9: at step 5.5 the cosine would be halfway; step 4 is 2/7 of the way.
  const double pct = 2.0 / 7.0, lo = 4e-6;
  CHECK(s(4) == Approx(lo + (1.0 - lo) / 2.0 * (std::cos(3.14159265358979 * pct) + 1.0)));
  Schedule lin = one_cycle({.max_lr = 1.f, .total_steps = 10, .pct_start = 0.3, .anneal = Anneal::Linear});
  CHECK(lin(4) == Approx(1.0 + (lo - 1.0) * pct));
  CHECK_THROWS_WITH(s(11), Catch::Contains("past total_steps"));
  // three phases: up to max at 2, back to the initial rate at 2 * 3 - 2 = 4, then down to min at 9.
  Schedule three = one_cycle({.max_lr = 1.f, .total_steps = 10, .pct_start = 0.3, .three_phase = true});
  CHECK(three(2) == Approx(1.f));
  CHECK(three(4) == Approx(0.04f));
  CHECK(three(9) == Approx(4e-6f));
}
