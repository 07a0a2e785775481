// Direct convolution kernels compiled for the avx512 instruction set (conv_direct_impl.hpp):
// 64-byte vectors, 32 vector registers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ops/conv_direct_kernels.hpp"

namespace nncore {
namespace conv_direct_avx512 {
#define NNC_VEC_BYTES 64
#define NNC_VEC_REGS 32
#include "ops/conv_direct_impl.hpp"
#undef NNC_VEC_BYTES
#undef NNC_VEC_REGS
}  // namespace conv_direct_avx512

void fill_conv_direct_avx512(ConvDirectKernels& table) { conv_direct_avx512::fill_conv_direct_all(table); }

}  // namespace nncore
