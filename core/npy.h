// core/npy.h — NumPy .npy files of float32 arrays (what `excite predict --input/--output` reads
// and writes).
//
// Reads version 1.0/2.0/3.0 headers, dtype '<f4' (also '<f8', narrowed), C order only; the
// header is validated against the file size before anything is allocated, so a header claiming
// 10^12 elements is an error, not an attempt. Writes version 1.0, '<f4', C order.
// Leaves out: Fortran order, structured dtypes, pickled objects, .npz archives.
#pragma once

#include <string>

#include "core/tensor.h"

namespace excite {

Tensor load_npy(const std::string& path);
Tensor parse_npy(const std::string& bytes, const std::string& path_for_messages);
void save_npy(const std::string& path, const Tensor& tensor);

}  // namespace excite
