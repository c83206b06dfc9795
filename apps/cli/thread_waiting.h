// apps/cli/thread_waiting.h — how idle OpenMP workers wait, chosen before libgomp starts.
//
// libgomp's default is to spin ~300k iterations at every barrier before sleeping. A training
// step has ~200 parallel regions; when anything else wants the cores (the data loader's threads,
// another process), a spinning worker holds a core its partner needs, and 2-thread training was
// measured 3-5x slower than 1-thread on a loaded 2-core machine (README, Performance).
// Sleeping at once (OMP_WAIT_POLICY=passive) saves that collapse but pays a wake-up at every
// region on an idle machine: 7 % of SE-ResNet-20's training speed there. A short spin of 1000
// iterations (GOMP_SPINCOUNT=1000) keeps most of both, measured side by side (README,
// Performance), so it is excite's default. libgomp reads these variables only when it loads,
// before main(); so when neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set, `excite` sets
// GOMP_SPINCOUNT and re-executes itself once. A user who sets either variable gets exactly what
// they set.
#pragma once

namespace excite::apps {

// libgomp's spin count before a waiting worker sleeps, when the user sets none.
inline constexpr const char* kDefaultSpinCount = "1000";

// Returns only if nothing needs to change (or re-executing failed, which is harmless).
void choose_thread_waiting(char** argv);

}  // namespace excite::apps
