// autograd/batchnorm_sync.h — synchronised batch norm: the statistics of a training-mode
// batch_norm taken over the batches of several processes instead of this one's.
//
// A process-wide reducer (a function summing a double buffer over every process, in place) is
// installed by the distributed trainer (apps/dist/sync_bn.h) for --sync-bn; without one, batch_norm
// uses its local batch as always. With one, in training mode only:
//   forward:  local count, sum x and sum x^2 per channel (double) are summed over processes;
//             mean and biased variance come from the totals, and the running statistics move
//             toward them (unbiased with the global count);
//   backward: local sum dz and sum dz xhat (from batchnorm_backward with dx = nullptr) are
//             summed, and dx uses the totals and the global count (core/kernels/batchnorm_sync.h).
// The parameter gradients (dgamma, dbeta) stay local: the gradient allreduce sums them.
// Every process must run the same BN layers in the same order (the reducer is collective).
// Leaves out: the transport (apps/dist/communicator.h), eval mode (running statistics, no exchange).
#pragma once

#include <cstdint>
#include <functional>

namespace excite {

using BatchNormReducer = std::function<void(double* values, int64_t n)>;

// Installs (or, with an empty function, removes) the process-wide reducer.
void set_batchnorm_reducer(BatchNormReducer reducer);
bool batchnorm_reducer_installed();

// mean[C], biased var[C] of x [N, C, HW] over every process's batch; *count = total values per channel.
void batchnorm_sync_stats(const float* x, int64_t N, int64_t C, int64_t HW, float* mean, float* var, double* count);
// Training-mode backward with global statistics: dx (if non-null), local dgamma and dbeta.
// y non-null: fused ReLU (dz = dy where y > 0).
void batchnorm_sync_backward(const float* dy, const float* y, const float* x, const float* mean, const float* invstd,
                             const float* gamma, double count, float* dx, float* dgamma, float* dbeta, int64_t N,
                             int64_t C, int64_t HW);

}  // namespace excite
