// Optimizer row kernels compiled for the avx2 instruction set (see optim_rows_impl.hpp).
#include <cstdint>

#include "ops/optim_kernels.hpp"

namespace nncore {
namespace optim_avx2 {
#include "ops/optim_rows_impl.hpp"
}  // namespace optim_avx2

void fill_optim_kernels_avx2(OptimKernels& table) { optim_avx2::fill_optim_all(table); }

}  // namespace nncore
