// The instruction-set dispatch (core/kernels/isa.h): what this host runs and what it cannot,
// forcing each supported target, and the errors for unknown and unsupported names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "core/error.h"
#include "core/kernels/isa.h"
#include "isa_loop.h"

using namespace excite;

namespace {

std::string join(const std::vector<std::string>& v) {
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  return os.str();
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("isa: reports the targets compiled, run and not runnable on this host") {
  const std::vector<std::string> compiled = isa_compiled(), supported = isa_supported();
  REQUIRE(!supported.empty());
  CHECK(contains(compiled, "scalar"));
  CHECK(contains(supported, "scalar"));
  std::vector<std::string> missing;
  for (const std::string& c : compiled)
    if (!contains(supported, c)) missing.push_back(c);
  // Printed on every run (ctest --output-on-failure -V, or the test binary itself): the kernels of
  // these targets were compiled but not compared with their naive twins here.
  WARN("instruction sets compiled: " << join(compiled) << "; run by the kernel tests on this CPU: " << join(supported)
                                     << "; NOT run on this CPU: " << (missing.empty() ? "none" : join(missing)));
  CHECK(isa_name() == (std::getenv("EXCITE_ISA") ? std::string(std::getenv("EXCITE_ISA")) : supported.front()));
}

TEST_CASE("isa: each supported target can be forced, and reports its width") {
  testing::for_each_isa([](const std::string& isa) {
    CHECK(isa_name() == isa);
    const int lanes = isa_lanes();
    CHECK((isa == "avx512" ? lanes == 16 : isa == "avx2" ? lanes == 8 : isa == "scalar" ? lanes == 1 : lanes == 4));
  });
}

TEST_CASE("isa: an unknown or unsupported name is a clear error, not a fallback") {
  testing::IsaRestore restore;
  const std::string before = isa_name();
  CHECK_THROWS_WITH(set_isa("avx1024"), Catch::Contains("unknown instruction set 'avx1024'") &&
                                            Catch::Contains("this build has:"));
  CHECK(isa_name() == before);
  for (const std::string& c : isa_compiled()) {
    if (contains(isa_supported(), c)) continue;
    CHECK_THROWS_WITH(set_isa(c), Catch::Contains("this CPU cannot run '" + c + "'"));
    CHECK(isa_name() == before);
  }
  set_isa("auto");
  CHECK(isa_name() == isa_supported().front());
}
