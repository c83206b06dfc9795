// core/kernels/strided_copy.h — the rows of a stride-2 convolution: every other float of a row,
// its adjoint, and two phases of a row woven into one (internal to core/kernels: im2col/col2im
// in conv.cpp, the staging and the phased input gradient in conv_direct.cpp). A scalar loop there
// is gather-bound and costs more than the product it feeds.
// Written once over Highway (strided_copy.cpp): two vector loads and one even-lane concatenation
// per vector of outputs; the adjoint spreads a vector over two with a lane table.
#pragma once

#include <cstdint>

namespace excite {

// out[i] = in[2 i] for i < n; reads nothing past in[room - 1] (room >= 2n - 1 floats readable
// from in; with more room, one more whole vector may run where the scalar tail would).
void gather_even(const float* in, float* out, int64_t n, int64_t room);
// io[2 i] += r[i] for i < n; touches nothing past io[room - 1] (room >= 2n - 1; the odd floats
// touched are rewritten unchanged, so io must not be written by another thread meanwhile).
void scatter_add_even(const float* r, float* io, int64_t n, int64_t room);
// out[2 i] = even[i] for i < n_even, out[2 i + 1] = odd[i] for i < n_odd: one row of a stride-2
// input gradient from its two column phases (conv_direct.cpp). A null even or odd writes zeros
// there (a phase no tap reaches). n_odd is n_even or n_even - 1; writes out[0, n_even + n_odd).
void interleave_pair(const float* even, const float* odd, float* out, int64_t n_even, int64_t n_odd);

// The naive twins.
void gather_even_naive(const float* in, float* out, int64_t n);
void scatter_add_even_naive(const float* r, float* io, int64_t n);
void interleave_pair_naive(const float* even, const float* odd, float* out, int64_t n_even, int64_t n_odd);

}  // namespace excite
