// core/random.h — the seeded random generator that makes every run reproducible.
//
// One global Generator drives initialisation, dropout and data augmentation; manual_seed(s)
// resets it. Generators are small value types (xoshiro256**, seeded through splitmix64) so
// that a loader can derive an independent stream per epoch and batch, and a checkpoint can save
// and restore the exact state. Normal samples use Box-Muller without caching, so every draw
// consumes exactly two uniforms and the stream never depends on call history.
#pragma once

#include <array>
#include <cstdint>

namespace excite {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { seed_with(seed); }
  void seed_with(uint64_t seed);

  uint64_t next_u64();
  float uniform();                       // [0, 1)
  float uniform(float lo, float hi);     // [lo, hi)
  float normal(float mean = 0.f, float std = 1.f);
  int64_t randint(int64_t n);            // [0, n), unbiased
  bool bernoulli(float p) { return uniform() < p; }

  // A new generator whose stream is a pure function of this one's seed and `key`: loaders
  // derive one per (epoch, batch) so that results do not depend on the number of workers.
  static Generator derive(uint64_t seed, uint64_t key);

  using State = std::array<uint64_t, 4>;
  State state() const { return s_; }
  void set_state(const State& s) { s_ = s; }

 private:
  State s_{};
};

// The process-wide generator used wherever no generator is passed explicitly.
Generator& global_generator();
void manual_seed(uint64_t seed);

}  // namespace excite
