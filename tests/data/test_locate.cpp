// Where datasets are found: flag first, then EXCITE_DATA, then the standard places; and the
// not-found error that lists the places and says how to get the data.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "data/locate.h"
#include "data_files.h"

using namespace excite;
using namespace excite::data;
using namespace excite::testing;

namespace {

struct EnvGuard {  // sets EXCITE_DATA for one test and restores it
  std::string old;
  bool had;
  explicit EnvGuard(const char* value) {
    const char* v = std::getenv("EXCITE_DATA");
    had = v != nullptr;
    if (had) old = v;
    if (value != nullptr) {
      setenv("EXCITE_DATA", value, 1);
    } else {
      unsetenv("EXCITE_DATA");
    }
  }
  ~EnvGuard() {
    if (had) {
      setenv("EXCITE_DATA", old.c_str(), 1);
    } else {
      unsetenv("EXCITE_DATA");
    }
  }
};

DataSpec toy_spec(const std::string& standard_place) {
  return {.name = "Toy",
          .files = {{"a.bin"}, {"b.bin.gz", "b.bin"}},
          .subdirs = {"toy-data"},
          .standard_places = {standard_place},
          .how_to_get = "sudo apt-get install dataset-toy."};
}

}  // namespace

TEST_CASE("locate: flag, then EXCITE_DATA, then standard places") {
  const std::string root = temp_dir("locate");
  const std::string flagged = root + "/flag/toy-data", env = root + "/env/toy-data", standard = root + "/std";
  for (const auto& dir : {flagged, env, standard}) {
    write_bytes(dir + "/a.bin", {1});
    write_bytes(dir + "/b.bin", {1});
  }
  const DataSpec spec = toy_spec(standard);
  {
    EnvGuard guard((root + "/env").c_str());
    CHECK(locate(spec, root + "/flag") == flagged);  // the parent of the dataset folder is fine
    CHECK(locate(spec, flagged) == flagged);
    CHECK(locate(spec) == env);
  }
  {
    EnvGuard guard(nullptr);
    CHECK(locate(spec) == standard);
    CHECK_THROWS_WITH(locate(spec, root + "/nowhere"), Catch::Contains("'" + root + "/nowhere' does not exist") &&
                                                           Catch::Contains("apt-get install dataset-toy"));
    std::filesystem::remove(env + "/b.bin");
    CHECK_THROWS_WITH(locate(spec, env), Catch::Contains("missing there: b.bin.gz or b.bin"));
  }
}

TEST_CASE("locate: the not-found error lists every place tried and how to get the data") {
  const std::string root = temp_dir("locate-none");
  EnvGuard guard((root + "/envdir").c_str());
  DataSpec fashion = fashion_mnist_spec();
  fashion.standard_places = {root + "/usr-share"};
  try {
    locate(fashion);
    FAIL("expected not found");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("Fashion-MNIST: dataset not found") != std::string::npos);
    CHECK(m.find("train-images-idx3-ubyte.gz or train-images-idx3-ubyte") != std::string::npos);
    CHECK(m.find(root + "/envdir/fashion-mnist  (from EXCITE_DATA)") != std::string::npos);
    CHECK(m.find(root + "/usr-share") != std::string::npos);
    CHECK(m.find("apt-get install dataset-fashion-mnist") != std::string::npos);
  }
  CHECK(fashion_mnist_spec().standard_places.front() == "/usr/share/datasets/fashion-mnist");
}
