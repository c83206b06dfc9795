// core/safetensors.h — reading and writing safetensors files (the format of checkpoints, weights
// and the PyTorch test fixtures).
//
// The format: 8 bytes little-endian header length L, L bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}},
// then the raw little-endian data. Tensors here are float32; an I64 entry (PyTorch's
// num_batches_tracked) is held as a float tensor of exact integers and written back as I64.
// Loading validates everything against the file size before allocating: a header that claims
// more bytes than the file has, overlapping or out-of-order offsets, unknown dtypes, shapes whose
// element count does not match the byte range: each an excite::Error naming the file and entry.
// Leaves out: memory mapping, dtypes other than F32/F64/F16/BF16/I64/I32 on load (F32/I64 on save).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace excite {

enum class DType { F32, I64 };

struct NamedTensor {
  std::string name;
  Tensor value;
  DType dtype = DType::F32;  // the dtype to write, or the dtype the entry had on disk
};

struct SafetensorsFile {
  std::vector<NamedTensor> tensors;  // in the order of their data offsets
  std::map<std::string, std::string> metadata;

  const NamedTensor* find(const std::string& name) const;
  // The tensor called `name`; throws naming the file's path and the missing key.
  const Tensor& at(const std::string& name) const;
  std::string path;
};

SafetensorsFile load_safetensors(const std::string& path);
SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& path_for_messages);

// Written to `path` atomically and durably (core/atomic_file.h, which also holds the EXCITE_FAULT
// test hook).
void save_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
std::string serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

}  // namespace excite
