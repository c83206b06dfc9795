#include "core/npy.h"

#include "core/atomic_file.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace excite {

Tensor parse_npy(const std::string& bytes, const std::string& path) {
  const std::string where = "npy: " + path;
  EXCITE_CHECK(bytes.size() >= 10 && bytes.compare(0, 6, "\x93NUMPY") == 0,
               where << ": not a .npy file (missing the \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  EXCITE_CHECK(major >= 1 && major <= 3, where << ": unsupported .npy version " << major);
  size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    offset = 10;
  } else {
    EXCITE_CHECK(bytes.size() >= 12, where << ": truncated header");
    header_len = 0;
    for (int i = 11; i >= 8; --i) header_len = header_len << 8 | static_cast<unsigned char>(bytes[i]);
    offset = 12;
  }
  EXCITE_CHECK(header_len <= bytes.size() - offset, where << ": header claims " << header_len << " bytes, file too short");
  // numpy writes headers of a few hundred bytes and itself refuses more than 10000 on load
  // (max_header_size); the limit also keeps std::regex below from recursing off the stack.
  EXCITE_CHECK(header_len <= 10000, where << ": header claims " << header_len
                                          << " bytes, more than the 10000 numpy allows; not a valid .npy file");
  const std::string header = bytes.substr(offset, header_len);
  offset += header_len;

  // Compiled once: building a std::regex costs more than matching these short headers.
  static const std::regex descr_key("'descr'\\s*:\\s*'([^']*)'");
  static const std::regex fortran_key("'fortran_order'\\s*:\\s*(True|False)");
  static const std::regex shape_key("'shape'\\s*:\\s*\\(([^)]*)\\)");
  std::smatch m;
  EXCITE_CHECK(std::regex_search(header, m, descr_key), where << ": header has no descr");
  const std::string descr = m[1];
  EXCITE_CHECK(descr == "<f4" || descr == "<f8",
               where << ": dtype " << descr << " is not supported (expected float32 '<f4' or float64 '<f8')");
  EXCITE_CHECK(std::regex_search(header, m, fortran_key),
               where << ": header has no fortran_order");
  EXCITE_CHECK(m[1] == "False", where << ": Fortran-ordered arrays are not supported (save with C order)");
  EXCITE_CHECK(std::regex_search(header, m, shape_key), where << ": header has no shape");
  std::vector<int64_t> dims;
  const size_t esize = descr == "<f4" ? 4 : 8;
  const size_t available = (bytes.size() - offset) / esize;
  size_t count = 1;
  std::stringstream list(m[1].str());
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item.find_first_not_of(" \t") == std::string::npos) continue;
    size_t used = 0;
    long long d = -1;
    try {
      d = std::stoll(item, &used);
    } catch (const std::exception&) {
    }
    EXCITE_CHECK(d >= 0, where << ": bad shape entry '" << item << "'");
    EXCITE_CHECK(d == 0 || count <= available / static_cast<size_t>(d),
                 where << ": shape claims more elements than the file's " << bytes.size() - offset << " data bytes hold");
    count *= static_cast<size_t>(d);
    dims.push_back(d);
  }
  EXCITE_CHECK(count * esize == bytes.size() - offset,
               where << ": " << bytes.size() - offset << " data bytes for shape " << Shape(dims) << " (expected "
                     << count * esize << ")");
  Tensor t{Shape(dims)};
  const char* src = bytes.data() + offset;
  if (esize == 4) {
    std::memcpy(t.data(), src, count * 4);
  } else {
    for (size_t i = 0; i < count; ++i) {
      double d;
      std::memcpy(&d, src + 8 * i, 8);
      t.data()[i] = static_cast<float>(d);
    }
  }
  return t;
}

Tensor load_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXCITE_CHECK(in, "npy: cannot open " << path << " (" << std::strerror(errno) << ")");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_npy(buffer.str(), path);
}

void save_npy(const std::string& path, const Tensor& t) {
  std::string shape;
  for (int64_t d : t.shape()) shape += std::to_string(d) + ", ";
  if (t.dim() > 1) shape.resize(shape.size() - 2);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  const uint16_t len = static_cast<uint16_t>(header.size());
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(len & 0xff);
  bytes += static_cast<char>(len >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(t.data()), sizeof(float) * static_cast<size_t>(t.numel()));
  write_file_atomically(path, bytes, "npy");
}

}  // namespace excite
