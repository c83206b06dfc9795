#include "core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace excite {

namespace {

// EXCITE_FAULT=kill-during-write:<file name>:<n> (see the header).
bool fault_kill_now(const std::string& path) {
  static const char* spec = std::getenv("EXCITE_FAULT");
  static int seen = 0;
  if (spec == nullptr) return false;
  const std::string s = spec, prefix = "kill-during-write:";
  const size_t colon = s.rfind(':');
  if (s.rfind(prefix, 0) != 0 || colon < prefix.size()) return false;
  const std::string name = s.substr(prefix.size(), colon - prefix.size());
  if (std::filesystem::path(path).filename() != name) return false;
  return ++seen == std::atoi(s.c_str() + colon + 1);
}

// write(2) until done; false with errno set on failure.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes, const std::string& what) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EXCITE_CHECK(fd >= 0, what << ": cannot write " << tmp << " (" << std::strerror(errno) << ")");
  size_t first = bytes.size();
  if (fault_kill_now(path)) first /= 2;
  bool ok = write_all(fd, bytes.data(), first);
  if (ok && first < bytes.size()) ::kill(::getpid(), SIGKILL);
  ok = ok && ::fsync(fd) == 0;
  const int write_errno = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(tmp.c_str());
    EXCITE_FAIL(what << ": writing " << path << " failed (" << std::strerror(write_errno)
                     << "); the previous file is untouched");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(tmp.c_str());
    EXCITE_FAIL(what << ": cannot rename " << tmp << " to " << path << " (" << std::strerror(rename_errno) << ")");
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {  // best effort: some file systems refuse fsync on directories
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace excite
