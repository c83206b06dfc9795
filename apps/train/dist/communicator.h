// apps/train/dist/communicator.h — the process group of a data-parallel run: rank, size, and the few
// collectives training needs (sum-allreduce, broadcast, barrier), plus the abort path.
//
// Two builds behind one interface: with MPI (OpenMPI from Debian, found by CMake) the group is
// MPI_COMM_WORLD once init() has run under a launcher (mpirun); without MPI, or when not launched
// by one, it is a single process (rank 0 of 1) and every collective is the identity. A build
// without MPI started under mpirun refuses in one line (init()), rather than running K copies of
// the same single-process training into one directory.
// Threads: collectives are called from the main thread only (MPI_THREAD_FUNNELED); the
// watchdog (watchdog.h) never calls MPI, it ends the process.
// Leaves out: what is reduced and when (grad_sync.h, sync_bn.h, the trainer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace excite::dist {

// True when this build links MPI.
bool built_with_mpi();
// True when an MPI launcher started this process (OpenMPI's or PMI's environment variables).
bool launched_by_mpi();
// Under a launcher: initialises MPI (once). Without MPI in the build, under a launcher with more
// than one process: throws a one-line error. Elsewhere: nothing (a group of one).
void init();
// Ends MPI after a successful run (no-op otherwise). Not called on an error path: a rank that
// fails exits non-zero and mpirun ends the others.
void finalize();

int rank();
int size();
inline bool is_root() { return rank() == 0; }
inline bool distributed() { return size() > 1; }

// Element-wise sums over all ranks, in place.
void allreduce_sum(float* data, int64_t n);
void allreduce_sum(double* data, int64_t n);
void allreduce_sum(int64_t* data, int64_t n);
// Copies root's bytes to every rank.
void broadcast(void* data, int64_t bytes, int root = 0);
void barrier();

// Non-blocking sums (MPI_Iallreduce): start several, then wait for all of them in order.
class PendingSums {
 public:
  PendingSums();
  ~PendingSums();
  PendingSums(const PendingSums&) = delete;
  PendingSums& operator=(const PendingSums&) = delete;
  void start(float* data, int64_t n);
  void wait_all();

 private:
  std::vector<void*> requests_;  // MPI_Request*, opaque here
};

// `log` on rank 0; a sink (/dev/null) on the other ranks, so that only rank 0 reports progress.
std::FILE* root_log(std::FILE* log);

// Ends every rank of the job with this status (MPI_Abort), after printing message (one line)
// on stderr; in a group of one, exits.
[[noreturn]] void abort_job(const std::string& message, int status);

}  // namespace excite::dist
