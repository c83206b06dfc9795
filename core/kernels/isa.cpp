// core/kernels/isa.cpp — the names of Highway's targets, EXCITE_ISA, and forcing a target.
//
// Highway's dispatch calls, for every exported kernel, the best target (lowest bit) of
// SupportedTargets() that was compiled (HWY_TARGETS). SetSupportedTargetsForTest(bits) replaces
// what SupportedTargets() reports, and every dispatch table follows it at once (bits 0 restores
// the CPU's own set). We only ever pass one target the CPU really has: the check against the
// unmocked set is what keeps a forced target from executing instructions the CPU lacks.
#include "core/kernels/isa.h"

#include <hwy/targets.h>

#include <atomic>
#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace excite {

namespace {

struct Isa {
  const char* name;
  int64_t bits;  // the Highway target(s) behind the name
  int lanes;
};

// Best first, as Highway orders them.
constexpr Isa kIsas[] = {
    {"avx512", HWY_AVX3_DL | HWY_AVX3, 16}, {"avx2", HWY_AVX2, 8},        {"sse4", HWY_SSE4, 4},
    {"neon", HWY_NEON, 4},                  {"scalar", HWY_SCALAR | HWY_EMU128, 1},
};

// The CPU's own supported set (no mock), restricted to what was compiled.
int64_t cpu_targets(int64_t forced) {
  hwy::SetSupportedTargetsForTest(0);
  const int64_t cpu = hwy::SupportedTargets() & HWY_TARGETS;
  if (forced) hwy::SetSupportedTargetsForTest(forced);
  return cpu;
}

int64_t g_forced = 0;  // the mocked target bits, 0: none
// The target dispatch runs now (its bit), 0: not yet asked. Cached because Highway 1.0.3's
// SupportedTargets() detects the CPU again on every call (CPUID, a VM exit under a hypervisor)
// and isa_lanes() is asked on every convolution: it was 10 % of fuzz_study's time (perf).
std::atomic<int64_t> g_chosen{0};

int64_t chosen_target() {
  isa_init();
  int64_t c = g_chosen.load(std::memory_order_relaxed);
  if (c == 0) {
    c = hwy::SupportedTargets() & HWY_TARGETS;
    c &= -c;  // the best
    g_chosen.store(c, std::memory_order_relaxed);
  }
  return c;
}

const Isa& isa_of(int64_t best_bit) {
  for (const Isa& i : kIsas)
    if (i.bits & best_bit) return i;
  EXCITE_FAIL("isa: Highway chose target " << hwy::TargetName(best_bit) << ", which excite has no name for");
}

std::string join(const std::vector<std::string>& names) {
  std::ostringstream os;
  for (size_t i = 0; i < names.size(); ++i) os << (i ? ", " : "") << names[i];
  return os.str();
}

}  // namespace

void isa_init() {
  static const bool applied = [] {
    const char* env = std::getenv("EXCITE_ISA");
    if (env && *env) set_isa(env);
    return true;
  }();
  (void)applied;
}

std::vector<std::string> isa_compiled() {
  std::vector<std::string> out;
  for (const Isa& i : kIsas)
    if (i.bits & HWY_TARGETS) out.push_back(i.name);
  return out;
}

std::vector<std::string> isa_supported() {
  const int64_t cpu = cpu_targets(g_forced);
  std::vector<std::string> out;
  for (const Isa& i : kIsas)
    if (i.bits & cpu) out.push_back(i.name);
  return out;
}

void set_isa(const std::string& name) {
  if (name.empty() || name == "auto") {
    g_forced = 0;
    hwy::SetSupportedTargetsForTest(0);
    g_chosen.store(0, std::memory_order_relaxed);
    return;
  }
  const Isa* isa = nullptr;
  for (const Isa& i : kIsas)
    if (name == i.name) isa = &i;
  EXCITE_CHECK(isa && (isa->bits & HWY_TARGETS),
               "EXCITE_ISA: unknown instruction set '" << name << "'; this build has: " << join(isa_compiled())
                                                       << " (or auto)");
  const int64_t cpu = cpu_targets(g_forced);
  const int64_t bits = isa->bits & cpu;
  EXCITE_CHECK(bits != 0, "EXCITE_ISA: this CPU cannot run '" << name << "'; it supports: "
                                                              << join(isa_supported()) << " (or auto)");
  g_forced = bits & -bits;  // the best of the name's targets the CPU has
  hwy::SetSupportedTargetsForTest(g_forced);
  g_chosen.store(0, std::memory_order_relaxed);
}

std::string isa_name() { return isa_of(chosen_target()).name; }

int isa_lanes() { return isa_of(chosen_target()).lanes; }

}  // namespace excite
