// Recurrent-cell row kernels compiled for the avx512 instruction set (see rnn_cells_impl.hpp;
// the math helpers come from the elementwise and activation kernels of the same ISA; the
// float32 gate passes of the default activations from rnn_gates_avx512.hpp).
// GCC 12 reports the intrinsics' internal _mm512_undefined_* placeholders as "may be used
// uninitialized" once they are inlined here (a false positive fixed in later releases).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>  // before the namespace: rnn_gates_avx512.hpp is included inside it

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
#include "ops/rnn_gates_avx512.hpp"
#include "ops/rnn_cells_impl.hpp"
}  // namespace rnn_avx512

void fill_rnn_kernels_avx512(RnnKernels& table) { rnn_avx512::fill_rnn_all(table); }

}  // namespace nncore
