// apps/train/dist/watchdog.h — ends a distributed run whose ranks stopped answering.
//
// A rank that dies is noticed by mpirun, which ends the others. A rank that stops answering
// (stopped, swapping, a hung file system, a network partition) leaves the others blocked inside
// a collective forever. While a Watchdog lives, every collective of communicator.h is timed
// (CollectiveTimer, made by the communicator itself): a thread checks twice a second, and when
// this rank has waited in one collective for more than `seconds`, it prints one line naming the
// rank and the collective and ends this process with status 3, upon which mpirun ends the rest.
// Only the waiting is timed, never the computing, so a slow step or a long evaluation cannot
// trip it; the wait does include the other ranks' compute imbalance and rank 0's end-of-epoch
// writes (checkpoint, plots), which the default (300 s) leaves plenty of room for. The thread
// never calls MPI. Off (no thread) when seconds <= 0 or in a group of one.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace excite::dist {

class Watchdog {
 public:
  explicit Watchdog(double seconds);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void run();
  double seconds_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Marks this rank as waiting in collective `what` (a string literal) for its lifetime.
class CollectiveTimer {
 public:
  explicit CollectiveTimer(const char* what);
  ~CollectiveTimer();
  CollectiveTimer(const CollectiveTimer&) = delete;
  CollectiveTimer& operator=(const CollectiveTimer&) = delete;
};

}  // namespace excite::dist
