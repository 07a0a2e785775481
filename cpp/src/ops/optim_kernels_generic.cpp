// Optimizer row kernels compiled for the generic instruction set (see optim_rows_impl.hpp).
#include <cstdint>

#include "ops/optim_kernels.hpp"

namespace nncore {
namespace optim_generic {
#include "ops/optim_rows_impl.hpp"
}  // namespace optim_generic

void fill_optim_kernels_generic(OptimKernels& table) { optim_generic::fill_optim_all(table); }

}  // namespace nncore
