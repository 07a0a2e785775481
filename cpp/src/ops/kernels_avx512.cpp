// Elementwise, reduction and activation kernels compiled for the avx512 instruction set
// (see elementwise_impl.hpp, reduce_impl.hpp and activation_impl.hpp).
#include <cstdint>

#include "ops/elementwise_kernels.hpp"
#include "ops/reduce_kernels.hpp"
#include "ops/activation_kernels.hpp"

namespace nncore {
namespace kernels_avx512 {
#include "ops/elementwise_impl.hpp"
#include "ops/reduce_impl.hpp"
#include "ops/activation_impl.hpp"
}  // namespace kernels_avx512

void fill_elementwise_kernels_avx512(ElementwiseKernels& table) { kernels_avx512::fill_all(table); }
void fill_reduce_kernels_avx512(ReduceKernels& table) { kernels_avx512::fill_reduce_all(table); }
void fill_activation_kernels_avx512(ActivationKernels& table) {
  kernels_avx512::fill_activation_all(table);
}

}  // namespace nncore
