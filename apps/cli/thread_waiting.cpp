#include "apps/cli/thread_waiting.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace excite::apps {

void choose_thread_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  // The resolved path, not /proc/self/exe itself: the kernel names the process after the file
  // executed, and `top` or `pgrep excite` should find "excite", not "exe".
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error || setenv("GOMP_SPINCOUNT", kDefaultSpinCount, 1) != 0) return;
  execv(self.c_str(), argv);  // only returns on failure: carry on with libgomp's default waiting
}

}  // namespace excite::apps
