// Elementwise, reduction and activation kernels compiled for the generic instruction set
// (see elementwise_impl.hpp, reduce_impl.hpp and activation_impl.hpp).
#include <cstdint>

#include "ops/elementwise_kernels.hpp"
#include "ops/reduce_kernels.hpp"
#include "ops/activation_kernels.hpp"

namespace nncore {
namespace kernels_generic {
#include "ops/elementwise_impl.hpp"
#include "ops/reduce_impl.hpp"
#include "ops/activation_impl.hpp"
}  // namespace kernels_generic

void fill_elementwise_kernels_generic(ElementwiseKernels& table) { kernels_generic::fill_all(table); }
void fill_reduce_kernels_generic(ReduceKernels& table) { kernels_generic::fill_reduce_all(table); }
void fill_activation_kernels_generic(ActivationKernels& table) {
  kernels_generic::fill_activation_all(table);
}

}  // namespace nncore
