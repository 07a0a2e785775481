// Optimizer row kernels compiled for the avx512 instruction set (see optim_rows_impl.hpp).
#include <cstdint>

#include "ops/optim_kernels.hpp"

namespace nncore {
namespace optim_avx512 {
#include "ops/optim_rows_impl.hpp"
}  // namespace optim_avx512

void fill_optim_kernels_avx512(OptimKernels& table) { optim_avx512::fill_optim_all(table); }

}  // namespace nncore
