// apps/train/dist/root_log.cpp — root_log(): rank 0 logs, the other ranks write into /dev/null.
#include "apps/train/dist/communicator.h"

namespace excite::dist {

std::FILE* root_log(std::FILE* log) {
  if (is_root()) return log;
  static std::FILE* sink = std::fopen("/dev/null", "w");
  return sink != nullptr ? sink : log;
}

}  // namespace excite::dist
