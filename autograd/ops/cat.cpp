// autograd/ops/cat.cpp — cat, torch.cat: tensors of equal shape except along `dim`, joined along
// it. CBAM stacks its channel-mean and channel-max maps [N, 1, H, W] into [N, 2, H, W] with it.
//
// Viewing each input as [outer, size_i * inner] (outer = the dims before `dim`, inner = those
// after), the output row is the inputs' rows side by side; the backward cuts dy's rows back into
// the same pieces (each input's gradient is its slice of dy).
#include <algorithm>

#include "autograd/ops.h"
#include "core/kernels/op_timer.h"

namespace excite {

Variable cat(const std::vector<Variable>& xs, int64_t dim) {
  const OpKind kind = op_kind_or_override(OpKind::Elementwise);
  ScopedOpTimer timer(kind);
  EXCITE_CHECK(!xs.empty(), "cat: needs at least one tensor");
  const Shape& first = xs[0].shape();
  const int64_t rank = first.dim();
  EXCITE_CHECK(rank >= 1 && dim >= -rank && dim < rank,
               "cat: dimension " << dim << " out of range for " << first);
  if (dim < 0) dim += rank;
  std::vector<int64_t> out_dims = first.dims();
  out_dims[dim] = 0;
  std::vector<int64_t> widths;  // each input's row length: size_i * inner
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= first[d];
  for (int64_t d = dim + 1; d < rank; ++d) inner *= first[d];
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& s = xs[i].shape();
    bool fits = s.dim() == rank;
    for (int64_t d = 0; fits && d < rank; ++d) fits = d == dim || s[d] == first[d];
    EXCITE_CHECK(fits, "cat: tensor " << i << " has shape " << s << ", tensor 0 has " << first
                                      << "; all must match except along dimension " << dim);
    out_dims[dim] += s[dim];
    widths.push_back(s[dim] * inner);
  }
  const int64_t row = out_dims[dim] * inner;
  Tensor y{Shape(out_dims)};
  float* out = y.data();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < xs.size(); ++i) {
      const float* src = xs[i].data().data() + o * widths[i];
      out = std::copy(src, src + widths[i], out);
    }
  std::vector<Shape> shapes;
  for (const Variable& x : xs) shapes.push_back(x.shape());
  std::vector<bool> needs;
  for (const Variable& x : xs) needs.push_back(x.requires_grad());
  return make_result(y, "cat", xs, [shapes, needs, widths, outer, row, kind](const Tensor& dy) {
    ScopedOpTimer timer(kind);
    std::vector<Tensor> grads(shapes.size());
    int64_t offset = 0;  // the piece's start within a row of dy
    for (size_t i = 0; i < shapes.size(); offset += widths[i], ++i) {
      if (!needs[i]) continue;
      grads[i] = Tensor(shapes[i]);
      for (int64_t o = 0; o < outer; ++o) {
        const float* src = dy.data() + o * row + offset;
        std::copy(src, src + widths[i], grads[i].data() + o * widths[i]);
      }
    }
    return grads;
  });
}

}  // namespace excite
