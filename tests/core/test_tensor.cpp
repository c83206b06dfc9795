#include <catch2/catch.hpp>

#include <cstdint>
#include <thread>

#include "core/tensor.h"

using namespace excite;

TEST_CASE("tensor factories, shape and element access") {
  Tensor z = Tensor::zeros({2, 3, 4, 5});
  CHECK(z.numel() == 120);
  CHECK(z.shape().str() == "[2, 3, 4, 5]");
  CHECK(z.at({1, 2, 3, 4}) == 0.f);
  Tensor f = Tensor::full({3}, 2.5f);
  CHECK(f[2] == 2.5f);
  Tensor v = Tensor::from({2, 2}, {1, 2, 3, 4});
  CHECK(v.at({1, 0}) == 3.f);
  CHECK(Tensor::ones({1}).item() == 1.f);
  CHECK_THROWS_WITH(Tensor::from({2, 2}, {1, 2, 3}), Catch::Contains("3 values given for shape [2, 2]"));
  CHECK_THROWS_WITH(v.at({2, 0}), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(v.item(), Catch::Contains("[2, 2]"));
}

TEST_CASE("reshape is a view, clone is a copy") {
  Tensor a = Tensor::from({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor b = a.reshape({3, -1});
  CHECK(b.shape() == Shape({3, 2}));
  b[0] = 42.f;
  CHECK(a[0] == 42.f);
  CHECK(b.shares_storage_with(a));
  Tensor c = a.clone();
  c[1] = -1.f;
  CHECK(a[1] == 1.f);
  CHECK_THROWS_WITH(a.reshape({4, 2}), Catch::Contains("cannot view [2, 3]"));
  CHECK_THROWS_WITH(a.reshape({-1, -1}), Catch::Contains("at most one -1"));
}

TEST_CASE("seeded generator is reproducible and well distributed") {
  manual_seed(7);
  Tensor a = Tensor::normal({10000}, 0.f, 1.f);
  manual_seed(7);
  Tensor b = Tensor::normal({10000}, 0.f, 1.f);
  CHECK(max_abs_diff(a, b) == 0.f);
  double mean = 0, var = 0;
  for (float x : a) mean += x;
  mean /= a.numel();
  for (float x : a) var += (x - mean) * (x - mean);
  var /= a.numel();
  CHECK(std::abs(mean) < 0.05);
  CHECK(std::abs(var - 1.0) < 0.05);
  Tensor u = Tensor::uniform({10000}, -2.f, 3.f);
  for (float x : u) REQUIRE((x >= -2.f && x < 3.f));
  Generator g(3);
  auto state = g.state();
  const int64_t r1 = g.randint(1000);
  g.set_state(state);
  CHECK(g.randint(1000) == r1);
  CHECK(Generator::derive(5, 1).next_u64() == Generator::derive(5, 1).next_u64());
  CHECK(Generator::derive(5, 1).next_u64() != Generator::derive(5, 2).next_u64());
}

TEST_CASE("Tensor storage: blocks of 256 KiB and more are reused by exact size, from any thread") {
  const StorageCacheStats before = storage_cache_stats();
  if (before.min_bytes == SIZE_MAX) {
    WARN("storage reuse is off in this build (sanitizers): nothing to check");
    return;
  }
  CHECK(before.min_bytes == size_t{256} << 10);
  const Shape big{1, 1 << 18};  // 1 MiB
  const float* first = nullptr;
  {
    Tensor t(big);
    first = t.data();
  }
  const size_t held = storage_cache_stats().cached_bytes;
  CHECK(held >= size_t{1} << 20);
  Tensor again(big);
  CHECK(again.data() == first);  // the same block back
  CHECK(storage_cache_stats().cached_bytes == held - (size_t{1} << 20));
  Tensor other({1, (1 << 18) + 16});  // another size: not that block
  CHECK(other.data() != first);
  // Freed on another thread, taken on this one.
  std::thread([t = std::move(again)]() mutable { t = Tensor(); }).join();
  Tensor third(big);
  CHECK(third.data() == first);
  // Small tensors are not kept.
  const size_t now = storage_cache_stats().cached_bytes;
  { Tensor small({16, 16}); }
  CHECK(storage_cache_stats().cached_bytes == now);
}
