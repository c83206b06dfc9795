#include "apps/thread_waiting.h"

#include <unistd.h>

#include <cstdlib>

namespace excite::apps {

void choose_thread_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);  // only returns on failure: carry on with the default waiting
}

}  // namespace excite::apps
