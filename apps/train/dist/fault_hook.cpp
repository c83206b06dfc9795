// apps/train/dist/fault_hook.cpp — EXCITE_DIST_FAULT.
#include "apps/train/dist/fault_hook.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "apps/train/dist/communicator.h"

namespace excite::dist {

namespace {
struct Fault {
  int signal = 0, rank = -1;
  int64_t step = -1;
};

Fault parse() {
  Fault f;
  const char* spec = std::getenv("EXCITE_DIST_FAULT");
  if (spec == nullptr) return f;
  char what[16] = {0};
  long long step = -1;
  if (std::sscanf(spec, "%15[a-z]:%d:%lld", what, &f.rank, &step) != 3) return f;
  f.step = step;
  if (std::strcmp(what, "kill") == 0) f.signal = SIGKILL;
  if (std::strcmp(what, "stop") == 0) f.signal = SIGSTOP;
  return f;
}
}  // namespace

void maybe_inject_fault(int64_t step) {
  static const Fault fault = parse();
  if (fault.signal != 0 && fault.rank == rank() && fault.step == step) std::raise(fault.signal);
}

}  // namespace excite::dist
