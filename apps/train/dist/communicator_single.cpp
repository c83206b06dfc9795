// apps/train/dist/communicator_single.cpp — communicator.h for a build without MPI: a group of one.
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "apps/train/dist/communicator.h"
#include "core/error.h"

namespace excite::dist {

bool built_with_mpi() { return false; }

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

void init() {
  const char* n = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (n == nullptr) n = std::getenv("PMI_SIZE");
  EXCITE_CHECK(n == nullptr || std::atoi(n) <= 1,
               "dist: started by mpirun with " << n << " processes, but this build of excite has no MPI "
                                               "(install libopenmpi-dev and rebuild); refusing to run " << n
                                               << " independent copies");
}
void finalize() {}
int rank() { return 0; }
int size() { return 1; }
void allreduce_sum(float*, int64_t) {}
void allreduce_sum(double*, int64_t) {}
void allreduce_sum(int64_t*, int64_t) {}
void broadcast(void*, int64_t, int) {}
void barrier() {}
PendingSums::PendingSums() = default;
PendingSums::~PendingSums() = default;
void PendingSums::start(float*, int64_t) {}
void PendingSums::wait_all() {}

void abort_job(const std::string& message, int status) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  _exit(status);
}

}  // namespace excite::dist
