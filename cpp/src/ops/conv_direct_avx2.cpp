// Direct convolution kernels compiled for the avx2 instruction set (conv_direct_impl.hpp):
// 32-byte vectors, 16 vector registers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ops/conv_direct_kernels.hpp"

namespace nncore {
namespace conv_direct_avx2 {
#define NNC_VEC_BYTES 32
#define NNC_VEC_REGS 16
#include "ops/conv_direct_impl.hpp"
#undef NNC_VEC_BYTES
#undef NNC_VEC_REGS
}  // namespace conv_direct_avx2

void fill_conv_direct_avx2(ConvDirectKernels& table) { conv_direct_avx2::fill_conv_direct_all(table); }

}  // namespace nncore
