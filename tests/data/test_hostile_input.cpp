// Hostile input found by fuzzing the data parsers (fuzz/fuzz_image.cpp, fuzz_idx*.cpp, fuzz_cifar.cpp):
// each input once crashed or misbehaved inside excite or Debian's stb_image, and must now be a
// clean excite::Error (or a false probe) before stb sees it.
#include <catch2/catch.hpp>

#include <vector>

#include "data/image.h"
#include "data/image_guard.h"
#include "data_files.h"

using namespace excite;
using namespace excite::data;

namespace {

// SOI, a DHT segment whose 16 code counts add up to `codes`, then EOI.
std::vector<uint8_t> jpeg_with_huffman_codes(int codes) {
  std::vector<uint8_t> b = {0xff, 0xd8, 0xff, 0xc4};
  const int length = 2 + 1 + 16 + codes;
  b.push_back(static_cast<uint8_t>(length >> 8));
  b.push_back(static_cast<uint8_t>(length & 0xff));
  b.push_back(0x10);  // AC table 0
  for (int i = 0; i < 16; ++i) b.push_back(static_cast<uint8_t>(codes / 16 + (i < codes % 16 ? 1 : 0)));
  for (int i = 0; i < codes; ++i) b.push_back(static_cast<uint8_t>(i));
  b.insert(b.end(), {0xff, 0xd9});
  return b;
}

}  // namespace

TEST_CASE("image: a JPEG Huffman table of more than 256 codes is refused before stb_image") {
  // Found by fuzz_image: stb_image 2.27 (Debian's libstb) writes past its 257-entry size table
  // and 256-entry symbol table for such a DHT segment (UBSan: index 257 out of bounds; the
  // symbols overrun the heap), both when decoding and when probing the header.
  const std::vector<uint8_t> bad = jpeg_with_huffman_codes(16 * 255);
  CHECK(image_bytes_problem(bad).find("more than 256 codes") != std::string::npos);
  CHECK_THROWS_WITH(decode_image(bad, "dht.jpg"), Catch::Contains("dht.jpg': cannot decode (a JPEG Huffman table"));
  const std::string path = testing::temp_dir("fuzz-dht") + "/dht.jpg";
  testing::write_bytes(path, bad);
  int64_t h = 0, w = 0, c = 0;
  std::string why;
  CHECK_FALSE(probe_image(path, &h, &w, &c, &why));
  CHECK(why.find("more than 256 codes") != std::string::npos);
  // The same table after junk bytes and in a later segment is found too; 256 codes are fine.
  std::vector<uint8_t> later = {0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 'h', 'i', 0x00, 0x00};
  later.insert(later.end(), bad.begin() + 2, bad.end());
  CHECK_FALSE(image_bytes_problem(later).empty());
  CHECK(image_bytes_problem(jpeg_with_huffman_codes(256)).empty());
}

TEST_CASE("image: a JPEG scan using a Huffman table the file never defines is refused") {
  // Found by fuzz_image: a progressive AC scan with no AC table defined yet made stb_image 2.27
  // decode with uninitialised tables (UBSan: shift exponent 33 in its bit reader; the crash
  // came and went with the heap's old contents).
  std::vector<uint8_t> b = {0xff, 0xd8,                                        // SOI
                            0xff, 0xdb, 0x00, 0x43, 0x00};                      // DQT, table 0
  b.insert(b.end(), 64, 1);
  b.insert(b.end(), {0xff, 0xc0, 0x00, 0x0b, 8, 0, 8, 0, 8, 1, 1, 0x11, 0});  // SOF0 8x8 grey
  const std::vector<uint8_t> sos = {0xff, 0xda, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0, 0x00, 0xff, 0xd9};
  std::vector<uint8_t> no_tables = b;
  no_tables.insert(no_tables.end(), sos.begin(), sos.end());
  CHECK_THROWS_WITH(decode_image(no_tables, "undefined.jpg"), Catch::Contains("does not define"));
  // With both tables defined before the scan the guard lets it through (stb then decides).
  std::vector<uint8_t> defined = b;
  for (uint8_t cls : {0x00, 0x10}) {
    defined.insert(defined.end(), {0xff, 0xc4, 0x00, 0x14, cls, 1});
    defined.insert(defined.end(), 15, 0);
    defined.push_back(0);  // the one symbol
  }
  defined.insert(defined.end(), sos.begin(), sos.end());
  CHECK(image_bytes_problem(defined).empty());
}

TEST_CASE("image: a PNG whose image data starts with an empty IDAT chunk is refused") {
  // Found by fuzz_image: stb_image 2.27 then calls memcpy(NULL, src, 0) (UBSan: null pointer
  // passed as argument 1, declared never null).
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                              0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0, 0x4b, 0x6d, 0x29, 0xdc,
                              0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0,
                              0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  CHECK_THROWS_WITH(decode_image(png, "empty-idat.png"), Catch::Contains("empty IDAT"));
  const std::string path = testing::temp_dir("fuzz-idat") + "/empty-idat.png";
  testing::write_bytes(path, png);
  int64_t h = 0, w = 0, c = 0;
  std::string why;
  CHECK_FALSE(probe_image(path, &h, &w, &c, &why));
}

TEST_CASE("image: a PNG IDAT chunk claiming more bytes than the file holds is refused, not allocated") {
  // Found by fuzz_image: stb_image 2.27 grows its buffer to the declared chunk length before it
  // reads (a 1 KB file claiming 0x7ffffff0 bytes allocated 2 GB).
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                              0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0, 0x4b, 0x6d, 0x29, 0xdc,
                              0x7f, 0xff, 0xff, 0xf0, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0, 0};
  CHECK_THROWS_WITH(decode_image(png, "claims.png"), Catch::Contains("IDAT chunk claims 2147483632 bytes"));
  // The header probe reads only the first part of a file and stops at the first IDAT, as stb
  // does: a long file is not refused for a chunk that continues past that part.
  const std::string path = testing::temp_dir("fuzz-idat-claim") + "/claims.png";
  testing::write_bytes(path, png);
  int64_t h = 0, w = 0, c = 0;
  std::string why;
  CHECK(probe_image(path, &h, &w, &c, &why));
  CHECK(h == 8);
  CHECK(image_bytes_problem(png, /*complete=*/false).empty());
}

TEST_CASE("image: only JPEG, PNG and BMP signatures reach stb_image") {
  // stb_image would decode these (PNM, TGA-like headerless bytes, GIF...) although excite
  // promises JPEG, PNG and BMP only; each extra decoder is attack surface the fuzzer reached.
  const std::vector<uint8_t> pnm = {'P', '5', '\n', '1', ' ', '1', '\n', '2', '5', '5', '\n', 7};
  CHECK_THROWS_WITH(decode_image(pnm, "x.png"), Catch::Contains("not a JPEG, PNG or BMP file"));
  const std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};
  CHECK_THROWS_WITH(decode_image(gif, "x.jpg"), Catch::Contains("not a JPEG, PNG or BMP file"));
  // Real files of the three formats still decode (the mini JPEG folder when present).
  const std::string jpeg = testing::jpeg_mini_dir() + "/train/bird/0014.jpg";
  EXCITE_REQUIRE_DATA(jpeg);
  CHECK(load_image(jpeg).pixels.size() == 32 * 32 * 3);
}

TEST_CASE("image: a top-down BMP's negative height counts as its size") {
  // Found by fuzz_image: stb reports a top-down BMP's height as negative, so a 36-byte file of
  // 204 x -524302 pixels passed the pixel limits (a negative product) and stb decoded 107 M
  // pixels of padding (85 s under ASan). The probe reported the negative height too.
  const std::vector<uint8_t> bmp = {0x42, 0x4d, 0x76, 0xd2, 0, 0, 0, 0, 0, 0, 0x35, 0x04, 0, 0, 0x28, 0, 0, 0,
                                    0xcc, 0, 0, 0, 0xf2, 0xff, 0xf7, 0xff, 0x01, 0, 0x04, 0, 0, 0, 0, 0, 0x37, 0x8e};
  CHECK_THROWS_WITH(decode_image(bmp, "top-down.bmp"), Catch::Contains("more than its 36 bytes can hold"));
  // A real top-down BMP (negative height in its header) decodes, and probes with a positive height.
  std::vector<uint8_t> small = {'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0,
                                0xfe, 0xff, 0xff, 0xff, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0};
  small.resize(54, 0);
  for (int i = 0; i < 2 * 8; ++i) small.push_back(static_cast<uint8_t>(10 * i));  // 2 rows of 2 px + padding
  const Image image = decode_image(small, "small.bmp");
  CHECK(image.height == 2);
  CHECK(image.width == 2);
  const std::string path = testing::temp_dir("fuzz-bmp") + "/small.bmp";
  testing::write_bytes(path, small);
  int64_t h = 0, w = 0, c = 0;
  std::string why;
  REQUIRE(probe_image(path, &h, &w, &c, &why));
  CHECK(h == 2);
}
