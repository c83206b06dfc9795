// core/error.h — the one error type and the one check macro.
//
// Library code never calls exit/abort: it throws excite::Error. A message names the operation or
// file, prints shapes as [N, C, H, W], says what was expected and, where it can, how to fix it:
//
//   EXCITE_CHECK(x.dim() == 4, "conv2d: expected input [N, C, H, W], got " << x.shape());
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace excite {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace excite

// Throws excite::Error with the streamed message when `cond` is false.
#define EXCITE_CHECK(cond, message)                  \
  do {                                               \
    if (!(cond)) {                                   \
      std::ostringstream excite_check_stream_;       \
      excite_check_stream_ << message;               \
      throw ::excite::Error(excite_check_stream_.str()); \
    }                                                \
  } while (0)

// Throws unconditionally; for the end of a switch or a failed lookup.
#define EXCITE_FAIL(message) EXCITE_CHECK(false, message)
