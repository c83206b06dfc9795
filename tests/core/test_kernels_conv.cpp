// The fast convolution kernels against their naive twin, on odd shapes, strides 1/2/3, padding
// 0/1/2/3, dilation 2, groups (incl. depthwise), 1x1 (incl. the stride-2 shortcut) and the RGB
// stem: the im2col + sgemm path, and the direct register-tile kernels (conv_direct.h) and the
// dispatching entry points on every instruction set this CPU runs (tests/isa_loop.h), on plane
// sizes off the vector widths and channel counts off the register blocks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "core/blas.h"
#include "core/kernels/conv.h"
#include "core/kernels/conv_direct.h"
#include "core/kernels/conv_stage.h"
#include "core/tensor.h"
#include "isa_loop.h"

using namespace excite;

namespace {

std::string describe(const ConvGeometry& g) {
  std::ostringstream os;
  os << "x [" << g.N << ", " << g.C << ", " << g.H << ", " << g.W << "] w [" << g.OC << ", " << g.Cg() << ", " << g.KH
     << ", " << g.KW << "] stride (" << g.stride_h << ", " << g.stride_w << ") pad (" << g.pad_h << ", " << g.pad_w
     << ") dilation (" << g.dilation_h << ", " << g.dilation_w << ") groups " << g.groups;
  return os.str();
}

const std::vector<ConvGeometry> kGeometries = {
    {.N = 3, .C = 5, .H = 7, .W = 9, .OC = 6, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 2, .C = 3, .H = 11, .W = 8, .OC = 4, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2},
    {.N = 4, .C = 3, .H = 9, .W = 10, .OC = 5, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
    {.N = 2, .C = 2, .H = 6, .W = 7, .OC = 3, .KH = 7, .KW = 7, .pad_h = 3, .pad_w = 3},
    {.N = 2, .C = 3, .H = 13, .W = 12, .OC = 4, .KH = 7, .KW = 7, .stride_h = 2, .stride_w = 2, .pad_h = 3, .pad_w = 3},
    {.N = 3, .C = 4, .H = 9, .W = 11, .OC = 5, .KH = 3, .KW = 3, .pad_h = 2, .pad_w = 2, .dilation_h = 2,
     .dilation_w = 2},
    {.N = 2, .C = 4, .H = 10, .W = 9, .OC = 3, .KH = 3, .KW = 2, .stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 0,
     .dilation_h = 1, .dilation_w = 2},
    {.N = 3, .C = 6, .H = 7, .W = 5, .OC = 4, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1, .groups = 2},
    {.N = 2, .C = 5, .H = 8, .W = 9, .OC = 5, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1,
     .groups = 5},  // depthwise
    {.N = 2, .C = 4, .H = 6, .W = 6, .OC = 8, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1, .groups = 4},  // multiplier 2
    {.N = 5, .C = 7, .H = 5, .W = 6, .OC = 9, .KH = 1, .KW = 1},                                      // pointwise
    {.N = 3, .C = 6, .H = 9, .W = 7, .OC = 4, .KH = 1, .KW = 1, .stride_h = 2, .stride_w = 2},         // shortcut
    {.N = 2, .C = 4, .H = 5, .W = 5, .OC = 6, .KH = 1, .KW = 1, .groups = 2},
    {.N = 1, .C = 3, .H = 8, .W = 8, .OC = 4, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},  // fewer samples than threads
    {.N = 2, .C = 2, .H = 3, .W = 3, .OC = 2, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
    // stride-1 "same" convolutions (the direct kernel where AVX-512 is there)
    {.N = 3, .C = 16, .H = 32, .W = 32, .OC = 16, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 4, .C = 7, .H = 8, .W = 8, .OC = 13, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 2, .C = 5, .H = 5, .W = 13, .OC = 9, .KH = 3, .KW = 5, .pad_h = 1, .pad_w = 2},
    {.N = 3, .C = 3, .H = 11, .W = 6, .OC = 17, .KH = 5, .KW = 5, .pad_h = 2, .pad_w = 2},
    {.N = 2, .C = 6, .H = 6, .W = 9, .OC = 6, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1, .groups = 6},  // depthwise
    {.N = 1, .C = 12, .H = 16, .W = 16, .OC = 20, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},  // tiles over threads
    {.N = 2, .C = 2, .H = 1, .W = 1, .OC = 3, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},      // all padding but one
    // stride 2 on wide rows (the vectorised stride-2 im2col/col2im, 16 outputs at a time + tail)
    {.N = 2, .C = 3, .H = 6, .W = 40, .OC = 5, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
    {.N = 3, .C = 4, .H = 5, .W = 67, .OC = 8, .KH = 1, .KW = 1, .stride_h = 2, .stride_w = 2},
    // strides 3 and (2, 1), odd sizes, dilation with stride (the stride-phase kernels)
    {.N = 2, .C = 3, .H = 10, .W = 11, .OC = 4, .KH = 3, .KW = 3, .stride_h = 3, .stride_w = 3, .pad_h = 1, .pad_w = 1},
    {.N = 2, .C = 5, .H = 9, .W = 7, .OC = 6, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 1},
    {.N = 2, .C = 2, .H = 11, .W = 13, .OC = 3, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 2, .pad_w = 2,
     .dilation_h = 2, .dilation_w = 2},
    {.N = 2, .C = 16, .H = 32, .W = 32, .OC = 32, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1,
     .pad_w = 1},  // SE-ResNet's downsampling conv
    // strided 3x3 with odd sizes (a last row and column of padding read), oc not a multiple of
    // any vector, 8 channels per group: the broadcast-form strided weight gradient's edge cases
    {.N = 2, .C = 8, .H = 7, .W = 9, .OC = 12, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
    {.N = 3, .C = 16, .H = 10, .W = 11, .OC = 16, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1,
     .pad_w = 1, .groups = 2},
    // the RGB stem, the 1x1 stride-2 shortcut, and Fashion-MNIST's planes (784, 196 and 49
    // positions: tails of every vector width), pad 2 on a 3x3 (negative padding in the
    // transposed input gradient)
    {.N = 3, .C = 3, .H = 32, .W = 32, .OC = 16, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 3, .C = 16, .H = 32, .W = 32, .OC = 32, .stride_h = 2, .stride_w = 2},
    {.N = 2, .C = 1, .H = 28, .W = 28, .OC = 16, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 3, .C = 32, .H = 14, .W = 14, .OC = 32, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 3, .C = 32, .H = 14, .W = 14, .OC = 64, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1,
     .pad_w = 1},
    {.N = 2, .C = 64, .H = 7, .W = 7, .OC = 64, .KH = 3, .KW = 3, .pad_h = 1, .pad_w = 1},
    {.N = 2, .C = 5, .H = 7, .W = 7, .OC = 7, .KH = 3, .KW = 3, .pad_h = 2, .pad_w = 2},
    {.N = 2, .C = 9, .H = 16, .W = 16, .OC = 11, .KH = 1, .KW = 1},  // 1x1 read in place
};

void check_twins(const ConvGeometry& g, bool with_bias, Generator& gen) {
  INFO(describe(g) << (with_bias ? " with bias" : " without bias"));
  Tensor x = Tensor::uniform({g.N, g.C, g.H, g.W}, -1, 1, gen);
  Tensor w = Tensor::uniform({g.OC, g.Cg(), g.KH, g.KW}, -1, 1, gen);
  Tensor b = Tensor::uniform({g.OC}, -1, 1, gen);
  Tensor dy = Tensor::uniform({g.N, g.OC, g.OH(), g.OW()}, -1, 1, gen);
  const float* bp = with_bias ? b.data() : nullptr;

  Tensor y_naive(dy.shape()), y_im2col(dy.shape());
  conv2d_forward_naive(x.data(), w.data(), bp, y_naive.data(), g);
  conv2d_forward_im2col(x.data(), w.data(), bp, y_im2col.data(), g);
  CHECK(max_abs_diff(y_im2col, y_naive) < 1e-4f);
  Tensor y_naive_relu(dy.shape()), y_im2col_relu(dy.shape());
  conv2d_forward_naive(x.data(), w.data(), bp, y_naive_relu.data(), g, true);
  bool relu_of_naive = true;
  for (int64_t i = 0; i < y_naive.numel(); ++i) relu_of_naive = relu_of_naive && y_naive_relu[i] == std::max(y_naive[i], 0.f);
  CHECK(relu_of_naive);
  conv2d_forward_im2col(x.data(), w.data(), bp, y_im2col_relu.data(), g, true);
  CHECK(max_abs_diff(y_im2col_relu, y_naive_relu) < 1e-4f);
  Tensor dx_naive(x.shape()), dw_naive(w.shape()), db_naive({g.OC});
  conv2d_backward_naive(dy.data(), x.data(), w.data(), dx_naive.data(), dw_naive.data(), db_naive.data(), g);
  Tensor dx_im2col(x.shape()), dw_im2col(w.shape());
  conv2d_backward_im2col(dy.data(), x.data(), w.data(), dx_im2col.data(), dw_im2col.data(), g);
  CHECK(max_abs_diff(dx_im2col, dx_naive) < 1e-4f);
  CHECK(max_abs_diff(dw_im2col, dw_naive) < 1e-4f * static_cast<float>(g.N));

  testing::for_each_isa([&](const std::string&) {
    // The direct kernels themselves, then the dispatching entry points (which take them on SIMD
    // targets and im2col + sgemm on the scalar one).
    Tensor y_direct(dy.shape()), y_fast(dy.shape());
    y_direct.fill(7.f);
    conv2d_direct_forward(x.data(), w.data(), bp, y_direct.data(), g);
    CHECK(max_abs_diff(y_direct, y_naive) < 1e-4f);
    conv2d_forward(x.data(), w.data(), bp, y_fast.data(), g);
    CHECK(max_abs_diff(y_fast, y_naive) < 1e-4f);
    // With the ReLU in the stores (the folded conv-BN-ReLU of inference): the naive twin's ReLU.
    Tensor y_relu(dy.shape());
    conv2d_forward(x.data(), w.data(), bp, y_relu.data(), g, true);
    CHECK(max_abs_diff(y_relu, y_naive_relu) < 1e-4f);
    y_relu.fill(7.f);
    conv2d_direct_forward(x.data(), w.data(), bp, y_relu.data(), g, true);
    CHECK(max_abs_diff(y_relu, y_naive_relu) < 1e-4f);

    Tensor dx_direct(x.shape()), dw_direct(w.shape());
    dx_direct.fill(7.f);  // outputs are overwritten, not accumulated into
    dw_direct.fill(7.f);
    conv2d_direct_backward(dy.data(), x.data(), w.data(), dx_direct.data(), dw_direct.data(), g);
    CHECK(max_abs_diff(dx_direct, dx_naive) < 1e-4f);
    CHECK(max_abs_diff(dw_direct, dw_naive) < 1e-4f * static_cast<float>(g.N));

    Tensor dx_fast(x.shape()), dw_fast(w.shape()), db_fast({g.OC});
    dx_fast.fill(7.f);
    dw_fast.fill(7.f);
    conv2d_backward(dy.data(), x.data(), w.data(), dx_fast.data(), dw_fast.data(), db_fast.data(), g);
    CHECK(max_abs_diff(dx_fast, dx_naive) < 1e-4f);
    CHECK(max_abs_diff(dw_fast, dw_naive) < 1e-4f * static_cast<float>(g.N));
    CHECK(max_abs_diff(db_fast, db_naive) < 1e-4f * static_cast<float>(g.N));

    // add_dx: dx += the input gradient, to the bit what dx held plus the overwriting form's value,
    // on the direct kernels, the dispatching entry point and im2col + sgemm.
    Tensor held = Tensor::uniform(x.shape(), -1, 1, gen), expect(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) expect[i] = dx_fast[i] + held[i];
    Tensor dx_add = held.clone();
    conv2d_backward(dy.data(), x.data(), w.data(), dx_add.data(), nullptr, nullptr, g, true);
    CHECK(max_abs_diff(dx_add, expect) == 0.f);
    dx_add = held.clone();
    conv2d_direct_backward(dy.data(), x.data(), w.data(), dx_add.data(), nullptr, g, true);
    for (int64_t i = 0; i < x.numel(); ++i) expect[i] = dx_direct[i] + held[i];
    CHECK(max_abs_diff(dx_add, expect) == 0.f);
    Tensor dx_i2c(x.shape());
    conv2d_backward_im2col(dy.data(), x.data(), w.data(), dx_i2c.data(), nullptr, g);
    dx_add = held.clone();
    conv2d_backward_im2col(dy.data(), x.data(), w.data(), dx_add.data(), nullptr, g, true);
    for (int64_t i = 0; i < x.numel(); ++i) expect[i] = dx_i2c[i] + held[i];
    CHECK(max_abs_diff(dx_add, expect) == 0.f);

    // Each gradient alone (the others null) gives the same values.
    Tensor dx_only(x.shape()), dw_only(w.shape());
    conv2d_backward(dy.data(), x.data(), w.data(), dx_only.data(), nullptr, nullptr, g);
    conv2d_backward(dy.data(), x.data(), w.data(), nullptr, dw_only.data(), nullptr, g);
    CHECK(max_abs_diff(dx_only, dx_fast) == 0.f);
    CHECK(max_abs_diff(dw_only, dw_fast) == 0.f);
  });
}

}  // namespace

TEST_CASE("conv2d kernels: fast matches naive on odd shapes, strides, padding, dilation, groups, 1x1") {
  Generator gen(21);
  for (const ConvGeometry& g : kGeometries) {
    check_twins(g, true, gen);
    check_twins(g, false, gen);
  }
}

TEST_CASE("conv2d kernels: fast matches naive with 1 thread and with 2 threads") {
  Generator gen(22);
  const int before = num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    INFO(threads << " threads");
    check_twins(kGeometries[0], true, gen);
    check_twins(kGeometries[4], false, gen);
    check_twins(kGeometries[8], true, gen);
    check_twins(kGeometries[11], true, gen);
    check_twins(kGeometries[15], true, gen);
    check_twins(kGeometries[20], false, gen);
  }
  set_num_threads(before);
}

TEST_CASE("conv2d kernels: the staged input matches its naive twin on every instruction set") {
  Generator gen(24);
  for (const ConvGeometry& g : kGeometries) {
    INFO(describe(g));
    const conv_tiles::Stage st = conv_tiles::make_stage(g);
    if (st.in_place) continue;
    // Exactly one sample-group of input, in a vector of that size (scripts/sanitize.sh flags any
    // read past it).
    std::vector<float> x(static_cast<size_t>(g.Cg() * g.H * g.W));
    for (float& v : x) v = gen.uniform(-1, 1);
    std::vector<float> naive(st.floats());
    conv_tiles::stage_input_naive(x.data(), st, naive.data());
    testing::for_each_isa([&](const std::string&) {
      std::vector<float> fast(st.floats(), 7.f);
      conv_tiles::stage_input(x.data(), st, fast.data());
      CHECK(fast == naive);
    });
  }
}

TEST_CASE("conv2d kernels: dy transposed for the 3x3 weight gradient matches its naive twin") {
  // Rows in fours and a remainder, positions in blocks of 64 and 4 and a remainder, oc padding.
  Generator gen(25);
  const int64_t shapes[][3] = {{16, 1024, 16}, {32, 64, 32}, {12, 67, 16}, {5, 3, 8}, {33, 130, 48}, {1, 1, 4}};
  for (const auto& s : shapes) {
    const int64_t OCg = s[0], P = s[1], OCp = s[2];
    INFO("OCg " << OCg << " P " << P << " OCp " << OCp);
    std::vector<float> dy(static_cast<size_t>(OCg * P));
    for (float& v : dy) v = gen.uniform(-1, 1);
    std::vector<float> naive(static_cast<size_t>(P * OCp));
    conv_tiles::transpose_rows_naive(dy.data(), OCg, P, OCp, naive.data());
    testing::for_each_isa([&](const std::string&) {
      std::vector<float> fast(naive.size(), 7.f);
      conv_tiles::transpose_rows(dy.data(), OCg, P, OCp, fast.data());
      CHECK(fast == naive);
    });
  }
}

TEST_CASE("conv2d kernels: x padded for the 3x3 weight gradient matches its naive twin") {
  // Rows of whole vectors, of fours, of fours and singles, of one value; the output prefilled.
  Generator gen(26);
  const int64_t shapes[][3] = {{16, 32, 32}, {3, 8, 8}, {2, 5, 7}, {1, 1, 1}, {4, 3, 37}, {2, 16, 16}};
  for (const auto& s : shapes) {
    const int64_t Cg = s[0], H = s[1], W = s[2];
    INFO("Cg " << Cg << " H " << H << " W " << W);
    std::vector<float> x(static_cast<size_t>(Cg * H * W));
    for (float& v : x) v = gen.uniform(-1, 1);
    std::vector<float> naive(static_cast<size_t>(Cg * (H + 2) * (W + 2)));
    conv_tiles::pad_border_naive(x.data(), Cg, H, W, naive.data());
    testing::for_each_isa([&](const std::string&) {
      std::vector<float> fast(naive.size(), 7.f);
      conv_tiles::pad_border(x.data(), Cg, H, W, fast.data());
      CHECK(fast == naive);
    });
  }
}

TEST_CASE("conv2d kernels: col2im is the adjoint of im2col") {
  // <im2col(x), c> == <x, col2im(c)> for every x and c: the property the backward relies on.
  Generator gen(23);
  for (const ConvGeometry& g : kGeometries) {
    INFO(describe(g));
    const int64_t rows = g.col_rows(), P = g.OH() * g.OW();
    Tensor x = Tensor::uniform({g.Cg(), g.H, g.W}, -1, 1, gen);
    Tensor c = Tensor::uniform({rows, P}, -1, 1, gen);
    Tensor col({rows, P}), back = Tensor::zeros(x.shape());
    im2col(x.data(), g, col.data());
    col2im(c.data(), g, back.data());
    double lhs = 0, rhs = 0;
    for (int64_t i = 0; i < col.numel(); ++i) lhs += static_cast<double>(col.data()[i]) * c.data()[i];
    for (int64_t i = 0; i < x.numel(); ++i) rhs += static_cast<double>(x.data()[i]) * back.data()[i];
    CHECK(std::abs(lhs - rhs) < 1e-3);
  }
}

TEST_CASE("conv2d kernels: output size follows torch's formula") {
  ConvGeometry g{.H = 32, .W = 32, .KH = 3, .KW = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1};
  CHECK(g.OH() == 16);
  CHECK(g.OW() == 16);
  ConvGeometry d{.H = 10, .W = 9, .KH = 3, .KW = 3, .pad_h = 0, .pad_w = 0, .dilation_h = 2, .dilation_w = 3};
  CHECK(d.OH() == 6);  // (10 - 2*2 - 1) / 1 + 1
  CHECK(d.OW() == 3);  // (9 - 3*2 - 1) / 1 + 1
}
