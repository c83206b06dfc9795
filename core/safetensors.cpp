#include "core/safetensors.h"

#include "core/atomic_file.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace excite {

namespace {

// Bytes per element of the dtypes we can read, or 0 for an unknown dtype.
size_t dtype_size(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0) magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31) magnitude = mantissa ? NAN : INFINITY;
  else magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

void decode(const std::string& dtype, const char* src, int64_t count, float* dst) {
  for (int64_t i = 0; i < count; ++i) {
    if (dtype == "F32") std::memcpy(&dst[i], src + 4 * i, 4);
    else if (dtype == "F64") { double d; std::memcpy(&d, src + 8 * i, 8); dst[i] = static_cast<float>(d); }
    else if (dtype == "I64") { int64_t v; std::memcpy(&v, src + 8 * i, 8); dst[i] = static_cast<float>(v); }
    else if (dtype == "I32") { int32_t v; std::memcpy(&v, src + 4 * i, 4); dst[i] = static_cast<float>(v); }
    else if (dtype == "F16") { uint16_t h; std::memcpy(&h, src + 2 * i, 2); dst[i] = half_to_float(h); }
    else { uint16_t b; std::memcpy(&b, src + 2 * i, 2); uint32_t f = uint32_t(b) << 16; std::memcpy(&dst[i], &f, 4); }
  }
}

}  // namespace

const NamedTensor* SafetensorsFile::find(const std::string& name) const {
  for (const NamedTensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

const Tensor& SafetensorsFile::at(const std::string& name) const {
  const NamedTensor* t = find(name);
  EXCITE_CHECK(t != nullptr, "safetensors: " << path << " has no tensor named '" << name << "'");
  return t->value;
}

SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& path) {
  const std::string where = "safetensors: " + path;
  EXCITE_CHECK(bytes.size() >= 8, where << ": file is " << bytes.size() << " bytes, too short for the 8-byte header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(bytes[i]);
  EXCITE_CHECK(header_len <= bytes.size() - 8,
               where << ": header claims " << header_len << " bytes but the file has only " << bytes.size() - 8
                     << " after the length field (truncated or not a safetensors file)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(header_len));
  } catch (const nlohmann::json::exception& e) {
    EXCITE_FAIL(where << ": header is not valid JSON (" << e.what() << ")");
  }
  EXCITE_CHECK(header.is_object(), where << ": header must be a JSON object");
  const uint64_t data_size = bytes.size() - 8 - header_len;
  const char* data = bytes.data() + 8 + header_len;

  SafetensorsFile file;
  file.path = path;
  struct Entry { std::string name, dtype; std::vector<int64_t> shape; uint64_t begin, end; };
  std::vector<Entry> entries;
  for (auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      EXCITE_CHECK(info.is_object(), where << ": __metadata__ must be an object of strings");
      for (auto& [k, v] : info.items()) {
        EXCITE_CHECK(v.is_string(), where << ": metadata value of '" << k << "' is not a string");
        file.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string at = where + ", tensor '" + name + "'";
    EXCITE_CHECK(info.is_object() && info.contains("dtype") && info.contains("shape") && info.contains("data_offsets"),
                 at << ": expected an object with dtype, shape and data_offsets");
    EXCITE_CHECK(info["dtype"].is_string(), at << ": dtype must be a string");
    Entry e{name, info["dtype"].get<std::string>(), {}, 0, 0};
    const size_t esize = dtype_size(e.dtype);
    EXCITE_CHECK(esize != 0, at << ": dtype " << e.dtype << " is not supported (expected F32, F64, F16, BF16, I64 or I32)");
    EXCITE_CHECK(info["shape"].is_array(), at << ": shape must be an array");
    uint64_t count = 1;
    for (auto& d : info["shape"]) {
      EXCITE_CHECK(d.is_number_unsigned(), at << ": shape entries must be non-negative integers");
      const uint64_t s = d.get<uint64_t>();
      EXCITE_CHECK(s == 0 || count <= data_size / s, at << ": shape claims more elements than the file holds");
      count *= s;
      e.shape.push_back(static_cast<int64_t>(s));
    }
    auto& off = info["data_offsets"];
    EXCITE_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(),
                 at << ": data_offsets must be [begin, end]");
    e.begin = off[0].get<uint64_t>();
    e.end = off[1].get<uint64_t>();
    EXCITE_CHECK(e.begin <= e.end && e.end <= data_size,
                 at << ": data_offsets [" << e.begin << ", " << e.end << "] exceed the " << data_size
                    << " data bytes in the file (truncated?)");
    EXCITE_CHECK(e.end - e.begin == count * esize,
                 at << ": " << e.end - e.begin << " bytes for shape " << Shape(e.shape) << " of " << e.dtype
                    << " (expected " << count * esize << ")");
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); ++i)
    EXCITE_CHECK(entries[i].begin >= entries[i - 1].end,
                 where << ": tensors '" << entries[i - 1].name << "' and '" << entries[i].name << "' overlap");
  for (const Entry& e : entries) {
    Tensor t{Shape(e.shape)};
    decode(e.dtype, data + e.begin, t.numel(), t.data());
    file.tensors.push_back({e.name, t, e.dtype == "I64" || e.dtype == "I32" ? DType::I64 : DType::F32});
  }
  return file;
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXCITE_CHECK(in, "safetensors: cannot open " << path << " (" << std::strerror(errno) << ")");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_safetensors(buffer.str(), path);
}

std::string serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const NamedTensor& t : tensors) {
    const uint64_t bytes = static_cast<uint64_t>(t.value.numel()) * (t.dtype == DType::I64 ? 8 : 4);
    header[t.name] = {{"dtype", t.dtype == DType::I64 ? "I64" : "F32"},
                      {"shape", t.value.shape().dims()},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // keep the data 8-byte aligned, as the format suggests
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  out += json;
  for (const NamedTensor& t : tensors) {
    if (t.dtype == DType::I64) {
      for (float v : t.value) {
        const int64_t i = static_cast<int64_t>(std::llround(v));
        out.append(reinterpret_cast<const char*>(&i), 8);
      }
    } else {
      out.append(reinterpret_cast<const char*>(t.value.data()), sizeof(float) * t.value.numel());
    }
  }
  return out;
}

// Atomic and durable (core/atomic_file.h): a crash at any point leaves either the complete old
// file or the complete new one.
void save_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomically(path, serialize_safetensors(tensors, metadata), "safetensors");
}

}  // namespace excite
