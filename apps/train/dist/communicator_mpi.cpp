// apps/train/dist/communicator_mpi.cpp — communicator.h over MPI_COMM_WORLD (built when CMake finds MPI).
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "apps/train/dist/communicator.h"
#include "apps/train/dist/watchdog.h"
#include "core/error.h"

namespace excite::dist {

namespace {

bool g_initialised = false;
int g_rank = 0, g_size = 1;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  EXCITE_FAIL("dist: " << what << " failed on rank " << g_rank << " (" << std::string(text, len) << ")");
}

}  // namespace

bool built_with_mpi() { return true; }

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

void init() {
  if (g_initialised || !launched_by_mpi()) return;
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  // Errors come back as codes (turned into excite errors) instead of aborting inside MPI.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_initialised = true;
}

void finalize() {
  if (!g_initialised) return;
  MPI_Finalize();
  g_initialised = false;
}

int rank() { return g_rank; }
int size() { return g_size; }

void allreduce_sum(float* data, int64_t n) {
  CollectiveTimer timer("MPI_Allreduce");
  if (g_size > 1 && n > 0)
    check(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
}
void allreduce_sum(double* data, int64_t n) {
  CollectiveTimer timer("MPI_Allreduce");
  if (g_size > 1 && n > 0)
    check(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
}
void allreduce_sum(int64_t* data, int64_t n) {
  CollectiveTimer timer("MPI_Allreduce");
  if (g_size > 1 && n > 0)
    check(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
}

void broadcast(void* data, int64_t bytes, int root) {
  CollectiveTimer timer("MPI_Bcast");
  if (g_size > 1 && bytes > 0)
    check(MPI_Bcast(data, static_cast<int>(bytes), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
}

void barrier() {
  CollectiveTimer timer("MPI_Barrier");
  if (g_size > 1) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

PendingSums::PendingSums() = default;
PendingSums::~PendingSums() {
  for (void* r : requests_) delete static_cast<MPI_Request*>(r);
}

void PendingSums::start(float* data, int64_t n) {
  if (g_size <= 1 || n <= 0) return;
  auto* request = new MPI_Request;
  requests_.push_back(request);
  check(MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request),
        "MPI_Iallreduce");
}

void PendingSums::wait_all() {
  CollectiveTimer timer("MPI_Wait (gradient buckets)");
  for (void* r : requests_) {
    check(MPI_Wait(static_cast<MPI_Request*>(r), MPI_STATUS_IGNORE), "MPI_Wait");
    delete static_cast<MPI_Request*>(r);
  }
  requests_.clear();
}

void abort_job(const std::string& message, int status) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  if (g_initialised && g_size > 1) MPI_Abort(MPI_COMM_WORLD, status);
  _exit(status);
}

}  // namespace excite::dist
