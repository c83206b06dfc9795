// File formats in core: .npy and safetensors, round trips and hostile bytes.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/npy.h"
#include "core/safetensors.h"
#include "fixtures.h"

using namespace excite;

namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("npy round trip and bad input") {
  const std::string dir = testing::temp_dir("npy");
  Tensor t = Tensor::uniform({2, 3, 4, 5}, -1, 1);
  save_npy(dir + "/a.npy", t);
  Tensor back = load_npy(dir + "/a.npy");
  CHECK(back.shape() == t.shape());
  CHECK(max_abs_diff(back, t) == 0.f);
  Tensor scalar_like = Tensor::from({3}, {1, 2, 3});
  save_npy(dir + "/b.npy", scalar_like);
  CHECK(load_npy(dir + "/b.npy").shape() == Shape({3}));

  CHECK_THROWS_WITH(load_npy(dir + "/missing.npy"), Catch::Contains("cannot open"));
  write_bytes(dir + "/garbage.npy", "hello world, not numpy");
  CHECK_THROWS_WITH(load_npy(dir + "/garbage.npy"), Catch::Contains("not a .npy file"));
  std::string huge = std::string("\x93NUMPY\x01\x00", 8);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }\n";
  huge += static_cast<char>(header.size()) + std::string(1, '\0') + header + std::string(16, '\0');
  write_bytes(dir + "/huge.npy", huge);
  CHECK_THROWS_WITH(load_npy(dir + "/huge.npy"), Catch::Contains("more elements than"));
  std::string i32 = std::string("\x93NUMPY\x01\x00", 8);
  header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n";
  i32 += static_cast<char>(header.size()) + std::string(1, '\0') + header + std::string(8, '\0');
  write_bytes(dir + "/int.npy", i32);
  CHECK_THROWS_WITH(load_npy(dir + "/int.npy"), Catch::Contains("dtype <i4 is not supported"));
  std::ifstream in(dir + "/a.npy", std::ios::binary);
  std::string full((std::istreambuf_iterator<char>(in)), {});
  write_bytes(dir + "/cut.npy", full.substr(0, full.size() - 7));
  CHECK_THROWS_WITH(load_npy(dir + "/cut.npy"), Catch::Contains("more elements than the file"));
}

TEST_CASE("safetensors round trip with I64 and metadata, atomic save") {
  const std::string dir = testing::temp_dir("st");
  Tensor w = Tensor::uniform({3, 2}, -1, 1);
  Tensor count = Tensor::from({}, {12345.f});
  save_safetensors(dir + "/m.safetensors", {{"w", w, DType::F32}, {"n", count, DType::I64}}, {{"epoch", "3"}});
  SafetensorsFile f = load_safetensors(dir + "/m.safetensors");
  CHECK(max_abs_diff(f.at("w"), w) == 0.f);
  CHECK(f.at("n").item() == 12345.f);
  CHECK(f.find("n")->dtype == DType::I64);
  CHECK(f.metadata.at("epoch") == "3");
  CHECK_THROWS_WITH(f.at("nope"), Catch::Contains("no tensor named 'nope'"));
}

TEST_CASE("safetensors: hostile files are clear errors") {
  auto with_header = [](const std::string& json, const std::string& data) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
    return out + json + data;
  };
  CHECK_THROWS_WITH(parse_safetensors("abc", "x"), Catch::Contains("too short"));
  CHECK_THROWS_WITH(parse_safetensors(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}", "x"),
                    Catch::Contains("header claims"));
  CHECK_THROWS_WITH(parse_safetensors(with_header("{not json", ""), "x"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(parse_safetensors(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234"), "x"),
                    Catch::Contains("exceed"));
  CHECK_THROWS_WITH(parse_safetensors(with_header(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", "12"), "x"),
                    Catch::Contains("dtype U8 is not supported"));
  CHECK_THROWS_WITH(
      parse_safetensors(with_header(R"({"a":{"dtype":"F32","shape":[1000000000000],"data_offsets":[0,8]}})", "12345678"), "x"),
      Catch::Contains("more elements than the file holds"));
  CHECK_THROWS_WITH(parse_safetensors(with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", "12345678"), "x"),
                    Catch::Contains("expected 12"));
  CHECK_THROWS_WITH(parse_safetensors(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                                  R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                                  "12345678"),
                                      "x"),
                    Catch::Contains("overlap"));
  CHECK_THROWS_WITH(load_safetensors("/nonexistent/file.safetensors"), Catch::Contains("cannot open"));
  CHECK_THROWS_WITH(save_safetensors("/nonexistent/dir/file.safetensors", {}), Catch::Contains("cannot write"));
}
