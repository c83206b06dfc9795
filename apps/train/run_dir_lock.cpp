// apps/train/run_dir_lock.cpp — flock on DIR/.lock, adoptable across exec.
#include "apps/train/run_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"

namespace excite::apps {

namespace {

constexpr const char* kInheritedFd = "EXCITE_RUN_LOCK_FD";

// The descriptor an exec'ing holder left us for `path`, already locked by it, or -1.
int adopt_inherited(const std::string& path) {
  const char* env = std::getenv(kInheritedFd);
  if (env == nullptr) return -1;
  const int fd = std::atoi(env);
  struct stat held {}, file {};
  if (fd <= 2 || fstat(fd, &held) != 0 || stat(path.c_str(), &file) != 0 || held.st_dev != file.st_dev ||
      held.st_ino != file.st_ino || flock(fd, LOCK_EX | LOCK_NB) != 0)
    return -1;
  unsetenv(kInheritedFd);
  return fd;
}

}  // namespace

RunDirLock::RunDirLock(const std::string& dir, const std::string& what, bool keep_across_exec) {
  const std::string path = dir + "/.lock";
  fd_ = adopt_inherited(path);
  if (fd_ < 0) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    EXCITE_CHECK(fd_ >= 0, what << ": cannot open " << path << " (" << std::strerror(errno) << ")");
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {0};
      (void)!pread(fd_, pid, sizeof pid - 1, 0);
      close(fd_);
      fd_ = -1;
      std::string holder(pid);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      EXCITE_FAIL(what << ": " << dir << " is in use by process " << (holder.empty() ? "?" : holder) << " ("
                       << path << " is locked); wait for it or stop it");
    }
  }
  // Close-on-exec unless the holder hands the lock to the program it becomes.
  (void)fcntl(fd_, F_SETFD, keep_across_exec ? 0 : FD_CLOEXEC);
  if (keep_across_exec) setenv(kInheritedFd, std::to_string(fd_).c_str(), 1);
  const std::string text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) == 0) (void)!pwrite(fd_, text.data(), text.size(), 0);
}

RunDirLock::~RunDirLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace excite::apps
