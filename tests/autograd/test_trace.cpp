// tests/autograd/test_trace.cpp — the op tracer (autograd/trace.h): what a TraceScope records,
// that nothing is recorded without one, and that scopes do not nest.
#include "autograd/ops.h"
#include "autograd/trace.h"
#include "catch2/catch.hpp"

using namespace excite;

TEST_CASE("trace - a TraceScope records each op with its inputs, output and attributes", "[trace]") {
  Variable x(Tensor::ones({2, 3, 4, 4}));
  Variable w(Tensor::ones({5, 3, 3, 3}), true);
  Tensor mean = Tensor::zeros({5}), var = Tensor::ones({5});
  std::vector<TracedOp> ops;
  Variable y;
  {
    TraceScope scope;
    Variable c = conv2d(x, w, Variable(), {.stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1});
    Variable b = batch_norm_relu(c, Variable(), Variable(), mean, var, false, 0.1f, 1e-5f);
    y = mul_scalar(global_avg_pool(b), 0.5f);
    ops = scope.ops();
  }
  REQUIRE(ops.size() == 4);
  CHECK(ops[0].op == "conv2d");
  REQUIRE(ops[0].inputs.size() == 2);
  CHECK(ops[0].inputs[0].data() == x.data().data());
  CHECK(ops[0].inputs[1].data() == w.data().data());
  CHECK(ops[0].attr("strides")->ints == std::vector<int64_t>{2, 2});
  CHECK(ops[0].attr("pads")->ints == std::vector<int64_t>{1, 1});
  CHECK(ops[0].int_attr("group") == 1);
  CHECK(ops[1].op == "batch_norm_relu");
  CHECK(ops[1].inputs[0].data() == ops[0].output.data());
  CHECK(ops[1].attr("running_mean")->tensor.data() == mean.data());
  CHECK(ops[1].float_attr("eps") == 1e-5f);
  CHECK(ops[1].int_attr("training") == 0);
  CHECK(ops[1].int_attr("has_weight") == 0);
  CHECK(ops[2].op == "global_avg_pool");
  CHECK(ops[3].op == "mul_scalar");
  CHECK(ops[3].float_attr("value") == 0.5f);
  CHECK(ops[3].output.data() == y.data().data());
  CHECK_THROWS_WITH(ops[3].int_attr("group"), Catch::Contains("mul_scalar") && Catch::Contains("group"));
}

TEST_CASE("trace - nothing is recorded without a scope, and scopes do not nest", "[trace]") {
  CHECK_FALSE(tracing());
  Variable x(Tensor::ones({2, 2}));
  relu(x);  // no scope: no record, no error
  {
    TraceScope scope;
    CHECK(tracing());
    CHECK_THROWS_WITH(TraceScope(), Catch::Contains("already"));
    relu(x);
    CHECK(scope.ops().size() == 1);
  }
  CHECK_FALSE(tracing());
}

TEST_CASE("trace - ops are recorded with grad mode on and off alike", "[trace]") {
  Variable x(Tensor::ones({2, 2}), true);
  TraceScope scope;
  relu(x);
  {
    NoGradGuard no_grad;
    sigmoid(x);
  }
  REQUIRE(scope.ops().size() == 2);
  CHECK(scope.ops()[1].op == "sigmoid");
}
