// core/kernels/isa.h — which instruction set the SIMD kernels run, and forcing one.
//
// Every fast kernel is written once over Google Highway (libhwy) and compiled for several
// instruction sets in one build (see core/CMakeLists.txt); at run time Highway's dynamic dispatch
// calls the best one this CPU supports. The names used here and by EXCITE_ISA:
//   avx512  x86 AVX-512 (F, VL, DQ, BW: Skylake-X, Ice Lake, Sapphire Rapids, Zen 4)  16 floats
//   avx2    x86 AVX2 + FMA (Haswell and later, Zen 1-3, Intel client CPUs)            8 floats
//   sse4    x86 SSE4.2 (no FMA)                                                        4 floats
//   neon    Arm NEON (every aarch64 CPU)                                               4 floats
//   scalar  one float at a time (Highway's HWY_SCALAR; its EMU128 is off under GCC < 12.3)
// EXCITE_ISA=<name> in the environment forces one (for tests and benchmarks); it is read when the
// first kernel runs. A name this build does not know, or one this CPU cannot run, is an error,
// never a silent fallback: running an instruction the CPU lacks would kill the process (SIGILL).
// Leaves out: OpenBLAS, which picks its own kernels for the CPU (OPENBLAS_CORETYPE forces those).
#pragma once

#include <string>
#include <vector>

namespace excite {

// The instruction set the kernels run now ("avx512", "avx2", ...). Applies EXCITE_ISA first.
std::string isa_name();
// Vector width of that instruction set, in floats (16, 8, 4 or 1).
int isa_lanes();
// Every name this build was compiled for, best first, and the subset this CPU can run.
std::vector<std::string> isa_compiled();
std::vector<std::string> isa_supported();
// Makes every kernel run `name` from now on ("" or "auto": the best this CPU supports). Throws
// excite::Error for an unknown name or one in isa_compiled() but not isa_supported().
// Not thread-safe: call it between kernel calls (tests, the start of a program).
void set_isa(const std::string& name);

// Applies EXCITE_ISA the first time it is called (cheap afterwards); every dispatching kernel
// entry point calls it before its first dispatch.
void isa_init();

}  // namespace excite
