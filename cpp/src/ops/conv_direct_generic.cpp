// Direct convolution kernels compiled for the generic instruction set (conv_direct_impl.hpp):
// 16-byte vectors, 16 vector registers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ops/conv_direct_kernels.hpp"

namespace nncore {
namespace conv_direct_generic {
#define NNC_VEC_BYTES 16
#define NNC_VEC_REGS 16
#include "ops/conv_direct_impl.hpp"
#undef NNC_VEC_BYTES
#undef NNC_VEC_REGS
}  // namespace conv_direct_generic

void fill_conv_direct_generic(ConvDirectKernels& table) { conv_direct_generic::fill_conv_direct_all(table); }

}  // namespace nncore
