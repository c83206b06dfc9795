// docs/tour.md, the reading guide, names files and the functions and types to read in them: every
// path it names must exist, and every name it gives for a stop must occur in that stop's file,
// so the tour cannot rot silently when code moves.
//
// The tour's format, parsed here: each stop has one line
//   **Read** `path/to/file.cpp`: `symbol`, `Class::member`, ...
// (a qualified name counts when each of its parts occurs in the file as a whole word); any other
// `path/with/a/slash.ext` in backticks anywhere in the tour must exist too.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "fixtures.h"

namespace fs = std::filesystem;
using excite::testing::slurp;
using excite::testing::source_dir;

namespace {

std::vector<std::string> backticked(const std::string& line) {
  std::vector<std::string> out;
  for (size_t at = line.find('`'); at != std::string::npos; at = line.find('`', at)) {
    const size_t end = line.find('`', at + 1);
    if (end == std::string::npos) break;
    out.push_back(line.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return out;
}

bool has_word(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    auto is_id = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    const bool left = at == 0 || !is_id(text[at - 1]);
    const bool right = at + word.size() >= text.size() || !is_id(text[at + word.size()]);
    if (left && right) return true;
  }
  return false;
}

bool looks_like_path(const std::string& s) {
  static const std::regex path(R"(^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)+\.(h|cpp|md|json|py|sh|txt)$)");
  return std::regex_match(s, path);
}

}  // namespace

TEST_CASE("tour: every stop's file exists and holds the names the tour gives") {
  const std::string tour = slurp(source_dir() + "/docs/tour.md");
  REQUIRE(!tour.empty());
  std::istringstream lines(tour);
  int stops = 0;
  for (std::string line; std::getline(lines, line);) {
    for (const std::string& token : backticked(line))
      if (looks_like_path(token)) {
        INFO("docs/tour.md names " << token);
        CHECK(fs::exists(source_dir() + "/" + token));
      }
    if (line.rfind("**Read** ", 0) != 0) continue;
    ++stops;
    const std::vector<std::string> names = backticked(line);
    REQUIRE(names.size() >= 2);
    const std::string text = slurp(source_dir() + "/" + names[0]);
    INFO("stop " << stops << ": " << names[0]);
    REQUIRE(!text.empty());
    for (size_t i = 1; i < names.size(); ++i) {
      std::string name = names[i];
      for (const char* strip : {"()", "(...)"})
        if (name.size() > std::strlen(strip) && name.compare(name.size() - std::strlen(strip), std::string::npos, strip) == 0)
          name.resize(name.size() - std::strlen(strip));
      size_t from = 0;
      for (size_t sep; (sep = name.find("::", from)) != std::string::npos; from = sep + 2) {
        INFO(names[i]);
        CHECK(has_word(text, name.substr(from, sep - from)));
      }
      INFO(names[i]);
      CHECK(has_word(text, name.substr(from)));
    }
  }
  CHECK(stops >= 10);
}
