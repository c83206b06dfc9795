// core/kernels/fma_peak.h — this machine's multiply-add peak, measured: the bar that `excite
// bench` holds the convolutions and the training step against.
//
// A register-only loop of independent fused multiply-add chains (enough of them to cover the
// FMA latency on every port: 24 vectors with 32 registers, 12 with 16), written once over
// Highway like the kernels and run on the instruction set the kernels run (isa.h), on `threads`
// OpenMP threads at once. No memory traffic, so nothing real can beat it: a kernel measured
// above 100 % of it has its work or its time counted wrong. SSE4 has no FMA: there the loop
// measures a multiply and an add per "multiply-add".
// Each thread's rate is taken over its own CPU time (a busy machine's other processes do not
// count against it). Leaves out: turbo and thermal effects beyond the ~0.1 s it runs (the best of
// 3 runs is kept).
#pragma once

namespace excite {

// GFLOP/s of `threads` threads together (2 flops per multiply-add and lane).
double fma_peak_gflops(int threads);

}  // namespace excite
