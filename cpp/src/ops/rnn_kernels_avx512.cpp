// Recurrent-cell row kernels compiled for the avx512 instruction set (see rnn_cells_impl.hpp;
// the math helpers come from the elementwise and activation kernels of the same ISA).
#include <cstdint>

#include "ops/elementwise_kernels.hpp"
#include "ops/reduce_kernels.hpp"
#include "ops/activation_kernels.hpp"
#include "ops/rnn_kernels.hpp"

namespace nncore {
namespace rnn_avx512 {
#include "ops/elementwise_impl.hpp"
#include "ops/reduce_impl.hpp"
#include "ops/activation_impl.hpp"
#include "ops/rnn_cells_impl.hpp"
}  // namespace rnn_avx512

void fill_rnn_kernels_avx512(RnnKernels& table) { rnn_avx512::fill_rnn_all(table); }

}  // namespace nncore
