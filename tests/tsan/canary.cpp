// tests/tsan/canary.cpp — proves that scripts/sanitize.sh --thread can see races at all.
// Built and run by that script before the suite: `canary race` must be reported by
// ThreadSanitizer (exit 66) and `canary clean` must not (exit 0), both under libomp + Archer.
// Built with g++ and libgomp instead, `canary clean` is reported twice (false positives: TSan
// cannot see libgomp's barrier), which is why the TSan build uses clang with libomp + Archer.
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  const bool race = argc > 1 && std::strcmp(argv[1], "race") == 0;
  std::vector<float> a(4096, 1.f);
  double total = 0;
  if (race) {
#pragma omp parallel for
    for (int i = 0; i < 4096; ++i) total += a[i];  // every thread writes `total`: a race
  } else {
#pragma omp parallel
    {
#pragma omp for
      for (int i = 0; i < 4096; ++i) a[i] *= 2.f;  // disjoint writes, then the implied barrier
#pragma omp for reduction(+ : total)
      for (int i = 0; i < 4096; ++i) total += a[(i + 7) % 4096];  // reads other threads' writes
    }
  }
  std::printf("%.0f\n", total);
  return 0;
}
