// Batch norm kernels against their naive twin on every instruction set this CPU runs:
// statistics, forward, backward in training and eval mode, with and without affine parameters,
// on odd shapes.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/kernels/batchnorm.h"
#include "core/tensor.h"
#include "isa_loop.h"

using namespace excite;

TEST_CASE("batchnorm kernels: fast matches naive") {
  Generator gen(31);
  const int64_t shapes[][3] = {{2, 3, 5}, {7, 1, 1}, {3, 5, 49}, {16, 4, 64}, {1, 6, 13}, {2, 3, 1024}};
  testing::for_each_isa([&](const std::string&) {
  for (auto [N, C, HW] : shapes) {
    for (bool affine : {true, false}) {
      for (bool training : {true, false}) {
        INFO("N=" << N << " C=" << C << " HW=" << HW << " affine=" << affine << " training=" << training);
        Tensor x = Tensor::uniform({N, C, HW}, -2, 3, gen);
        Tensor dy = Tensor::uniform({N, C, HW}, -1, 1, gen);
        Tensor gamma = Tensor::uniform({C}, 0.5, 1.5, gen), beta = Tensor::uniform({C}, -1, 1, gen);
        const float* gp = affine ? gamma.data() : nullptr;
        const float* bp = affine ? beta.data() : nullptr;

        Tensor mean({C}), var({C}), mean_n({C}), var_n({C});
        batchnorm_stats(x.data(), N, C, HW, mean.data(), var.data());
        batchnorm_stats_naive(x.data(), N, C, HW, mean_n.data(), var_n.data());
        CHECK(max_abs_diff(mean, mean_n) < 1e-5f);
        CHECK(max_abs_diff(var, var_n) < 1e-5f);

        Tensor invstd({C});
        for (int64_t c = 0; c < C; ++c) invstd.data()[c] = 1.f / std::sqrt(var.data()[c] + 1e-5f);
        Tensor y(x.shape()), y_n(x.shape());
        batchnorm_forward(x.data(), mean.data(), invstd.data(), gp, bp, y.data(), N, C, HW);
        batchnorm_forward_naive(x.data(), mean.data(), invstd.data(), gp, bp, y_n.data(), N, C, HW);
        CHECK(max_abs_diff(y, y_n) < 1e-5f);

        Tensor dx(x.shape()), dx_n(x.shape()), dg({C}), dg_n({C}), db({C}), db_n({C});
        batchnorm_backward(dy.data(), x.data(), mean.data(), invstd.data(), gp, dx.data(), dg.data(), db.data(), N, C,
                           HW, training);
        batchnorm_backward_naive(dy.data(), x.data(), mean.data(), invstd.data(), gp, dx_n.data(), dg_n.data(),
                                 db_n.data(), N, C, HW, training);
        CHECK(max_abs_diff(dx, dx_n) < 1e-4f);
        CHECK(max_abs_diff(dg, dg_n) < 1e-4f * static_cast<float>(N * HW));
        CHECK(max_abs_diff(db, db_n) < 1e-4f * static_cast<float>(N * HW));

        // The fused BN + ReLU pair against its naive twin (unfused naive kernels + a ReLU pass).
        Tensor yr(x.shape()), yr_n(x.shape());
        batchnorm_relu_forward(x.data(), mean.data(), invstd.data(), gp, bp, yr.data(), N, C, HW);
        batchnorm_relu_forward_naive(x.data(), mean.data(), invstd.data(), gp, bp, yr_n.data(), N, C, HW);
        CHECK(max_abs_diff(yr, yr_n) < 1e-5f);
        batchnorm_relu_backward(dy.data(), yr.data(), x.data(), mean.data(), invstd.data(), gp, dx.data(), dg.data(),
                                db.data(), N, C, HW, training);
        batchnorm_relu_backward_naive(dy.data(), yr.data(), x.data(), mean.data(), invstd.data(), gp, dx_n.data(),
                                      dg_n.data(), db_n.data(), N, C, HW, training);
        CHECK(max_abs_diff(dx, dx_n) < 1e-4f);
        CHECK(max_abs_diff(dg, dg_n) < 1e-4f * static_cast<float>(N * HW));
        CHECK(max_abs_diff(db, db_n) < 1e-4f * static_cast<float>(N * HW));
      }
    }
  }
  });
}

TEST_CASE("batchnorm kernels: statistics stay accurate on a large channel with a large offset") {
  // CIFAR's first layer normalises 131072 values per channel; a float running sum would drift.
  Generator gen(32);
  const int64_t N = 128, C = 2, HW = 1024;
  Tensor x = Tensor::uniform({N, C, HW}, 99.f, 101.f, gen);
  Tensor mean_n({C}), var_n({C});
  batchnorm_stats_naive(x.data(), N, C, HW, mean_n.data(), var_n.data());
  testing::for_each_isa([&](const std::string&) {
    Tensor mean({C}), var({C});
    batchnorm_stats(x.data(), N, C, HW, mean.data(), var.data());
    CHECK(max_abs_diff(mean, mean_n) < 1e-4f);
    CHECK(max_abs_diff(var, var_n) < 1e-4f);
    CHECK(std::abs(var.data()[0] - 1.f / 3.f) < 1e-2f);  // uniform on width 2: variance 1/3
  });
}
