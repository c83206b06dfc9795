// deploy/atomic_write.cpp — see atomic_write.h.
#include "deploy/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace excite::deploy {

void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what) {
  namespace fs = std::filesystem;
  EXCITE_CHECK(!path.empty(), what << ": no output path given");
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  EXCITE_CHECK(fs::is_directory(dir, ec), what << ": cannot write " << path << ": directory " << dir.string()
                                               << " does not exist (create it first)");
  EXCITE_CHECK(!fs::is_directory(target, ec), what << ": cannot write " << path << ": it is a directory");
  std::string tmp = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  EXCITE_CHECK(fd >= 0, what << ": cannot write " << path << " (" << std::strerror(errno)
                             << "); is directory " << dir.string() << " writable?");
  const char* p = bytes.data();
  size_t left = bytes.size();
  int err = 0;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (err == 0 && ::fchmod(fd, 0644) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    EXCITE_FAIL(what << ": writing " << path << " failed (" << std::strerror(err) << "); nothing was written");
  }
}

}  // namespace excite::deploy
