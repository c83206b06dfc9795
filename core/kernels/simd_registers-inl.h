// core/kernels/simd_registers-inl.h — what the register-tiled kernels need to know of the
// running target: how many vector registers it has (AVX-512 and aarch64 NEON 32, AVX2 and SSE4
// 16), and the pragma that unrolls their small fixed loops completely (or the accumulators live
// in memory). Included once per target by files that go through hwy/foreach_target.h
// (conv_tiles.cpp, conv_weight_grad.cpp, fma_peak.cpp), after hwy/highway.h.
// Leaves out: the tile shapes themselves, which each kernel derives from kVectorRegisters.

// Per-target include guard (Highway's convention for headers re-included for every target).
#if defined(EXCITE_CORE_KERNELS_SIMD_REGISTERS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EXCITE_CORE_KERNELS_SIMD_REGISTERS_INL_H_
#undef EXCITE_CORE_KERNELS_SIMD_REGISTERS_INL_H_
#else
#define EXCITE_CORE_KERNELS_SIMD_REGISTERS_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace excite::HWY_NAMESPACE {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_ARCH_ARM_A64
inline constexpr int kVectorRegisters = 32;
#else
inline constexpr int kVectorRegisters = 16;
#endif
}  // namespace excite::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

#ifndef EXCITE_UNROLL
#define EXCITE_UNROLL _Pragma("GCC unroll 32")
#endif
