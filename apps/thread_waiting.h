// apps/thread_waiting.h — how idle OpenMP workers wait, chosen before libgomp starts.
//
// libgomp's default is to spin ~300k iterations at every barrier before sleeping. A training
// step has ~200 parallel regions; when anything else wants the cores (the data loader's threads,
// another process), a spinning worker holds a core its partner needs, and 2-thread training was
// measured 3-5x slower than 1-thread on a loaded 2-core machine (README, Performance). Passive
// waiting (sleep at once) costs little when the machine is quiet and saves that collapse, so it
// is excite's default. libgomp reads OMP_WAIT_POLICY only when it loads, before main(); so when
// neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set, `excite` sets OMP_WAIT_POLICY=passive and
// re-executes itself once. A user who sets either variable gets exactly what they set.
#pragma once

namespace excite::apps {

// Returns only if nothing needs to change (or re-executing failed, which is harmless).
void choose_thread_waiting(char** argv);

}  // namespace excite::apps
