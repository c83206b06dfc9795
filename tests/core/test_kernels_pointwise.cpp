// The element-wise kernels (pointwise.h) and the stride-2 row copies (strided_copy.h) against
// their naive twins on every instruction set this CPU runs, on sizes around the vector widths
// and the threading chunk.
#include <catch2/catch.hpp>

#include <vector>

#include "core/kernels/pointwise.h"
#include "core/kernels/strided_copy.h"
#include "core/tensor.h"
#include "isa_loop.h"

using namespace excite;

namespace {

const int64_t kSizes[] = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 16384 * 2 + 5};

}  // namespace

TEST_CASE("pointwise kernels: fast matches naive on every instruction set") {
  Generator gen(51);
  testing::for_each_isa([&](const std::string&) {
    for (int64_t n : kSizes) {
      INFO("n = " << n);
      Tensor a = Tensor::uniform({n}, -1, 1, gen), b = Tensor::uniform({n}, -1, 1, gen);
      Tensor y({n}), y_n({n});
      for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul}) {
        binary_forward(op, a.data(), b.data(), y.data(), n);
        binary_forward_naive(op, a.data(), b.data(), y_n.data(), n);
        CHECK(max_abs_diff(y, y_n) == 0.f);
      }
      scale_forward(a.data(), 0.3f, y.data(), n);
      scale_forward_naive(a.data(), 0.3f, y_n.data(), n);
      CHECK(max_abs_diff(y, y_n) == 0.f);
      relu_forward(a.data(), y.data(), n);
      relu_forward_naive(a.data(), y_n.data(), n);
      CHECK(max_abs_diff(y, y_n) == 0.f);
      Tensor dx({n}), dx_n({n});
      relu_backward(b.data(), y.data(), dx.data(), n);
      relu_backward_naive(b.data(), y.data(), dx_n.data(), n);
      CHECK(max_abs_diff(dx, dx_n) == 0.f);
      add_relu_forward(a.data(), b.data(), y.data(), n);
      add_relu_forward_naive(a.data(), b.data(), y_n.data(), n);
      CHECK(max_abs_diff(y, y_n) == 0.f);
    }
  });
}

TEST_CASE("pointwise kernels: channel scale matches naive on every instruction set") {
  Generator gen(52);
  testing::for_each_isa([&](const std::string&) {
    for (auto [NC, HW] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {6, 49}, {130, 64}, {7, 1024}, {3, 17}}) {
      INFO("NC = " << NC << ", HW = " << HW);
      Tensor x = Tensor::uniform({NC, HW}, -1, 1, gen), g = Tensor::uniform({NC, HW}, -1, 1, gen);
      Tensor s = Tensor::uniform({NC}, 0, 1, gen);
      Tensor y({NC, HW}), y_n({NC, HW}), dx({NC, HW}), dx_n({NC, HW}), ds({NC}), ds_n({NC});
      channel_scale_forward(x.data(), s.data(), y.data(), NC, HW);
      channel_scale_forward_naive(x.data(), s.data(), y_n.data(), NC, HW);
      CHECK(max_abs_diff(y, y_n) == 0.f);
      channel_scale_backward(g.data(), x.data(), s.data(), dx.data(), ds.data(), NC, HW);
      channel_scale_backward_naive(g.data(), x.data(), s.data(), dx_n.data(), ds_n.data(), NC, HW);
      CHECK(max_abs_diff(dx, dx_n) == 0.f);
      CHECK(max_abs_diff(ds, ds_n) < 1e-4f);
      ds.fill(5.f);  // only ds wanted
      channel_scale_backward(g.data(), x.data(), s.data(), nullptr, ds.data(), NC, HW);
      CHECK(max_abs_diff(ds, ds_n) < 1e-4f);
    }
  });
}

TEST_CASE("pointwise kernels: the join after SE, relu(x s + r), and its backward match naive on every instruction set") {
  Generator gen(53);
  testing::for_each_isa([&](const std::string&) {
    for (auto [NC, HW] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {6, 49}, {130, 64}, {7, 1024}, {3, 17}}) {
      INFO("NC = " << NC << ", HW = " << HW);
      Tensor x = Tensor::uniform({NC, HW}, -1, 1, gen), r = Tensor::uniform({NC, HW}, -1, 1, gen);
      Tensor g = Tensor::uniform({NC, HW}, -1, 1, gen), s = Tensor::uniform({NC}, 0, 1, gen);
      Tensor y({NC, HW}), y_n({NC, HW});
      channel_scale_add_relu_forward(x.data(), s.data(), r.data(), y.data(), NC, HW);
      channel_scale_add_relu_forward_naive(x.data(), s.data(), r.data(), y_n.data(), NC, HW);
      CHECK(max_abs_diff(y, y_n) < 1e-6f);  // one FMA against double (rounded twice)
      Tensor dr({NC, HW}), dr_n({NC, HW}), dx({NC, HW}), dx_n({NC, HW}), ds({NC}), ds_n({NC});
      channel_scale_add_relu_backward(g.data(), y_n.data(), x.data(), s.data(), dr.data(), dx.data(), ds.data(), NC, HW);
      channel_scale_add_relu_backward_naive(g.data(), y_n.data(), x.data(), s.data(), dr_n.data(), dx_n.data(),
                                            ds_n.data(), NC, HW);
      CHECK(max_abs_diff(dr, dr_n) == 0.f);
      CHECK(max_abs_diff(dx, dx_n) == 0.f);
      CHECK(max_abs_diff(ds, ds_n) < 1e-4f);
      // The masked gradient is what relu_backward gives; dx what the channel scale's backward
      // gives from it, and ds the same sum in the same order, to a rounding per term: whether a*b
      // + c is one fused rounding or two is the compiler's choice per kernel where the target
      // has no vectors but the baseline has FMA (the scalar target on aarch64: GCC contracts).
      Tensor d({NC, HW}), dx_cs({NC, HW}), ds_cs({NC});
      relu_backward(g.data(), y_n.data(), d.data(), NC * HW);
      channel_scale_backward(d.data(), x.data(), s.data(), dx_cs.data(), ds_cs.data(), NC, HW);
      CHECK(max_abs_diff(dr, d) == 0.f);
      CHECK(max_abs_diff(dx, dx_cs) == 0.f);
      CHECK(max_abs_diff(ds, ds_cs) < 1e-5f);
      ds.fill(5.f);  // dx not wanted
      channel_scale_add_relu_backward(g.data(), y_n.data(), x.data(), s.data(), dr.data(), nullptr, ds.data(), NC, HW);
      CHECK(max_abs_diff(ds, ds_n) < 1e-4f);
    }
  });
}

TEST_CASE("pointwise kernels: a value per plane added (or spread alone, or in place) matches naive") {
  Generator gen(55);
  testing::for_each_isa([&](const std::string&) {
    for (auto [NC, HW] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {6, 49}, {130, 64}, {7, 1024}, {3, 17}}) {
      INFO("NC = " << NC << ", HW = " << HW);
      Tensor a = Tensor::uniform({NC, HW}, -1, 1, gen), s = Tensor::uniform({NC}, -1, 1, gen);
      Tensor out = Tensor::full({NC, HW}, 7.f), out_n({NC, HW});
      plane_add(a.data(), s.data(), out.data(), NC, HW);
      plane_add_naive(a.data(), s.data(), out_n.data(), NC, HW);
      CHECK(max_abs_diff(out, out_n) == 0.f);
      out.fill(7.f);
      plane_add(nullptr, s.data(), out.data(), NC, HW);
      plane_add_naive(nullptr, s.data(), out_n.data(), NC, HW);
      CHECK(max_abs_diff(out, out_n) == 0.f);
      Tensor io = a.clone();
      plane_add(io.data(), s.data(), io.data(), NC, HW);
      plane_add_naive(a.data(), s.data(), out_n.data(), NC, HW);
      CHECK(max_abs_diff(io, out_n) == 0.f);
    }
  });
}

TEST_CASE("strided copy: two column phases woven into a row match naive on every instruction set") {
  Generator gen(54);
  testing::for_each_isa([&](const std::string&) {
    for (int64_t n : kSizes) {
      if (n == 0) continue;
      for (int64_t n_odd : {n, n - 1}) {
        INFO("n_even = " << n << ", n_odd = " << n_odd);
        std::vector<float> even(static_cast<size_t>(n)), odd(static_cast<size_t>(n_odd));
        for (float& v : even) v = gen.uniform(-1, 1);
        for (float& v : odd) v = gen.uniform(-1, 1);
        // Exactly the row's floats: under scripts/sanitize.sh a write past it is an error.
        const auto row = static_cast<size_t>(n + n_odd);
        for (int missing = 0; missing < 3; ++missing) {  // both phases, no odd one, no even one
          const float* e = missing == 2 ? nullptr : even.data();
          const float* o = missing == 1 ? nullptr : odd.data();
          std::vector<float> out(row, 7.f), out_n(row, 7.f);
          interleave_pair(e, o, out.data(), n, n_odd);
          interleave_pair_naive(e, o, out_n.data(), n, n_odd);
          CHECK(out == out_n);
        }
      }
    }
  });
}

TEST_CASE("strided copy: stride-2 gather and scatter-add match naive on every instruction set") {
  Generator gen(53);
  testing::for_each_isa([&](const std::string&) {
    for (int64_t n : kSizes) {
      if (n == 0) continue;
      INFO("n = " << n);
      // Exactly the floats the row spans, in a vector of that size: under scripts/sanitize.sh a
      // read or write past it is an error.
      const int64_t span = 2 * (n - 1) + 1;
      std::vector<float> in(static_cast<size_t>(span)), r(static_cast<size_t>(n));
      for (float& v : in) v = gen.uniform(-1, 1);
      for (float& v : r) v = gen.uniform(-1, 1);
      std::vector<float> out(r.size()), out_n(r.size());
      gather_even(in.data(), out.data(), n, span);
      gather_even_naive(in.data(), out_n.data(), n);
      CHECK(out == out_n);
      std::vector<float> io = in, io_n = in;
      scatter_add_even(r.data(), io.data(), n, span);
      scatter_add_even_naive(r.data(), io_n.data(), n);
      CHECK(io == io_n);
      // With one more float of room, the last vector runs whole (no scalar tail).
      std::vector<float> wide(static_cast<size_t>(span + 1), 0.f), wide_n = wide;
      gather_even(wide.data(), out.data(), n, span + 1);
      scatter_add_even(r.data(), wide.data(), n, span + 1);
      scatter_add_even_naive(r.data(), wide_n.data(), n);
      CHECK(wide == wide_n);
    }
  });
}
