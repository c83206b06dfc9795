#include "layers/vocabulary.h"

namespace excite {

std::string join_names(const std::vector<std::string>& names, const char* last_separator, const char* separator) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last_separator : separator;
    out += names[i];
  }
  return out;
}

}  // namespace excite
