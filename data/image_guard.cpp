// data/image_guard.cpp — the signature check and the JPEG marker walk of image_guard.h.
#include "data/image_guard.h"

#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace excite::data {

namespace {

// Reads like stb's context: past the end every byte is 0.
struct Bytes {
  std::span<const uint8_t> b;
  size_t i = 0;
  bool eof() const { return i >= b.size(); }
  int get8() { return i < b.size() ? b[i++] : 0; }
  int get16() {
    const int hi = get8();
    return (hi << 8) | get8();
  }
};

bool is_sof(int m) { return m == 0xc0 || m == 0xc1 || m == 0xc2; }  // the frames stb decodes
bool is_rst(int m) { return m >= 0xd0 && m <= 0xd7; }

// What the markers so far have defined: Huffman tables (DC and AC, ids 0-3), quantization
// tables, and the frame's components with the quantization table each uses.
struct JpegTables {
  bool dc[4] = {}, ac[4] = {}, dq[4] = {};
  bool progressive = false;
  std::vector<std::pair<int, int>> components;  // (id, quantization table)
};

// The Huffman tables of one DHT segment, read as stb reads them (stbi__process_marker): a table
// class/id byte, 16 code counts, then as many symbols as the counts add up to. stb copies the
// counts into 257-entry and the symbols into 256-entry arrays without checking the total.
bool dht_ok(Bytes& in, JpegTables& t) {
  int left = in.get16() - 2;
  while (left > 0) {
    const int q = in.get8();
    if ((q >> 4) > 1 || (q & 15) > 3) return true;  // stb rejects the file here
    int n = 0;
    for (int i = 0; i < 16; ++i) n += in.get8();
    if (n > 256) return false;
    ((q >> 4) == 0 ? t.dc : t.ac)[q & 15] = true;
    in.i += static_cast<size_t>(n);
    left -= 17 + n;
  }
  return true;
}

// A DQT segment: tables of 64 one- or two-byte values, as stb reads them.
void dqt(Bytes& in, JpegTables& t) {
  int left = in.get16() - 2;
  while (left > 0) {
    const int q = in.get8();
    if ((q >> 4) > 1 || (q & 15) > 3) return;  // stb rejects the file here
    t.dq[q & 15] = true;
    const int size = (q >> 4) ? 128 : 64;
    in.i += static_cast<size_t>(size);
    left -= 1 + size;
  }
}

// A frame header (SOF0-2): precision, height, width, then per component id, sampling, table.
void sof(Bytes& in, int marker, JpegTables& t) {
  in.i += 2 + 1 + 4;  // length, precision, height, width
  const int n = in.get8();
  t.progressive = marker == 0xc2;
  t.components.clear();
  for (int c = 0; c < n && c < 4; ++c) {
    const int id = in.get8();
    in.get8();
    t.components.emplace_back(id, in.get8());
  }
}

// A scan header (SOS): the tables its components use must exist, else stb decodes with
// uninitialised tables (found by fuzzing: UBSan's shift out of range in stb's bit reader, and
// output that changes from run to run). Returns false for such a scan.
bool sos_ok(Bytes& in, const JpegTables& t) {
  in.i += 2;  // length
  const int n = in.get8();
  std::vector<std::pair<int, int>> uses;  // (component id, DC << 4 | AC table)
  for (int c = 0; c < n && c < 4; ++c) {
    const int id = in.get8();
    uses.emplace_back(id, in.get8());
  }
  const int start = in.get8();
  in.get8();
  const int approx_high = in.get8() >> 4;
  // stb: baseline scans use both tables, progressive DC scans the DC table (none when refining),
  // progressive AC scans the AC table.
  const bool need_dc = !t.progressive || (start == 0 && approx_high == 0);
  const bool need_ac = !t.progressive || start != 0;
  for (const auto& [id, tables] : uses) {
    const int dc = tables >> 4, ac = tables & 15;
    if (dc > 3 || ac > 3) return true;  // stb rejects the file here
    if ((need_dc && !t.dc[dc]) || (need_ac && !t.ac[ac])) return false;
    for (const auto& [cid, q] : t.components)
      if (cid == id && q <= 3 && !t.dq[q]) return false;
  }
  return true;
}

// Walks the markers stb_image would act on, over-approximating where it would stop early: the
// segments before the frame header (stb skips junk between them), the segments after it, and
// the entropy-coded data of each scan up to its next marker (FF then fill FFs then a non-zero,
// non-restart byte, as stb's bit reader finds it).
std::string jpeg_problem(std::span<const uint8_t> bytes) {
  Bytes in{bytes, 2};  // after the SOI marker FF D8
  JpegTables tables;
  bool before_frame = true;
  while (!in.eof()) {
    int m = in.get8();
    if (m != 0xff) {
      if (before_frame) continue;  // stb skips it
      return "";                   // stb stops here
    }
    while (m == 0xff && !in.eof()) m = in.get8();
    if (m == 0xd9) return "";  // EOI
    const size_t segment = in.i;
    if (m == 0xc4) {
      if (!dht_ok(in, tables)) return "a JPEG Huffman table declares more than 256 codes (corrupt or hostile file)";
      continue;
    }
    if (m == 0xdb) dqt(in, tables);
    if (is_sof(m)) {
      sof(in, m, tables);
      before_frame = false;
    }
    if (m == 0xda && !sos_ok(in, tables))
      return "a JPEG scan uses a Huffman or quantization table the file does not define before it (corrupt file)";
    in.i = segment;
    const int length = in.get16();
    if (length < 2) return "";  // stb rejects the file
    in.i = segment + static_cast<size_t>(length);
    if (m == 0xda) {  // entropy-coded data follows, up to the next marker
      while (!in.eof()) {
        if (in.get8() != 0xff) continue;
        int c = in.get8();
        while (c == 0xff && !in.eof()) c = in.get8();
        if (c != 0 && !is_rst(c)) {
          in.i -= 2;  // back onto FF + marker (fill bytes may precede it; they are skipped again)
          break;
        }
      }
    }
  }
  return "";
}

// PNG chunks: 4-byte big-endian length, 4-byte type, data, CRC. Both found by fuzzing:
// stb_image reallocates its buffer to an IDAT chunk's declared length before reading the data
// (a 1 KB file claiming 2 GB allocated 2 GB), and copies the first IDAT into a buffer it only
// allocates for a non-empty one (an empty first IDAT, legal but written by no encoder, made it
// memcpy to a null pointer). stb's header probe stops at the first IDAT.
std::string png_problem(std::span<const uint8_t> bytes, bool complete) {
  size_t at = 8;
  bool data = false;
  while (at + 8 <= bytes.size()) {
    const uint32_t length = uint32_t{bytes[at]} << 24 | uint32_t{bytes[at + 1]} << 16 | uint32_t{bytes[at + 2]} << 8 |
                            bytes[at + 3];
    const char* type = reinterpret_cast<const char*>(bytes.data() + at + 4);
    if (std::memcmp(type, "IEND", 4) == 0) return "";
    if (std::memcmp(type, "IDAT", 4) == 0) {
      if (length == 0 && !data) return "a PNG starts its image data with an empty IDAT chunk (corrupt file)";
      if (!complete) return "";
      if (at + 12 + length > bytes.size())
        return "a PNG IDAT chunk claims " + std::to_string(length) + " bytes, more than the file holds (truncated?)";
      data = data || length > 0;
    }
    at += 12 + static_cast<size_t>(length);
  }
  return "";
}

}  // namespace

std::string image_bytes_problem(std::span<const uint8_t> bytes, bool complete) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff) return jpeg_problem(bytes);
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), png, 8) == 0) return png_problem(bytes, complete);
  if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M') return "";
  return "not a JPEG, PNG or BMP file (unknown signature)";
}

std::string image_size_problem(std::span<const uint8_t> head, int64_t file_bytes, int64_t width, int64_t height) {
  const int64_t per_byte = head.size() >= 2 && head[0] == 0xff ? 512 : head.size() >= 2 && head[0] == 'B' ? 8 : 8256;
  const int64_t pixels = std::abs(width) * std::abs(height);  // a top-down BMP's height is negative
  if (pixels / per_byte <= file_bytes) return "";
  return "header claims " + std::to_string(width) + "x" + std::to_string(height) + " pixels, more than its " +
         std::to_string(file_bytes) + " bytes can hold (truncated or corrupt file)";
}

}  // namespace excite::data
