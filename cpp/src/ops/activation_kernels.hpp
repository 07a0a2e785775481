// The table of activation kernels for one ISA (filled by kernels_<isa>.cpp from
// activation_impl.hpp). Entries are indexed by dtype: [0] float32, [1] float64.
//
// Pointwise kernels process n elements, each operand with its own element stride, like the
// elementwise kernels (the strided loop calls them once per run). Softmax kernels process
// one slab: n elements along the softmax axis times `cols` independent columns, element
// (i, j) at i * ld + j, in contiguous memory.
#pragma once

#include <cstdint>

#include "nncore/activations.hpp"

namespace nncore {

using ActForwardKernel = void (*)(int64_t n, void* out, int64_t so, const void* x, int64_t sx,
                                  double alpha, double beta);
// gx = g * f'(x), from `saved` (the input or the output, see activation.cpp).
using ActBackwardKernel = void (*)(int64_t n, void* gx, int64_t sgx, const void* g, int64_t sg,
                                   const void* saved, int64_t ss, double alpha, double beta);
using PreluForwardKernel = void (*)(int64_t n, void* out, int64_t so, const void* x, int64_t sx,
                                    const void* w, int64_t sw);
// gx and gw (per element, before summing over the broadcast dims) in one pass.
using PreluBackwardKernel = void (*)(int64_t n, void* gx, int64_t sgx, void* gw, int64_t sgw,
                                     const void* g, int64_t sg, const void* x, int64_t sx,
                                     const void* w, int64_t sw);
using SoftmaxForwardKernel = void (*)(int64_t n, int64_t cols, int64_t ld, const void* x,
                                      void* y, bool log);
// From the saved output y and the gradient g (both laid out like the forward's slab).
using SoftmaxBackwardKernel = void (*)(int64_t n, int64_t cols, int64_t ld, const void* y,
                                       const void* g, void* gx, bool log);

// Softmax slabs never have more columns than this (the kernels keep per-column state on the
// stack).
constexpr int64_t kSoftmaxMaxCols = 256;

struct ActivationKernels {
  ActForwardKernel forward[kNumActivations][2] = {};
  ActBackwardKernel backward[kNumActivations][2] = {};  // null: handled without a kernel
  PreluForwardKernel prelu_forward[2] = {};
  PreluBackwardKernel prelu_backward[2] = {};
  SoftmaxForwardKernel softmax_forward[2] = {};
  SoftmaxBackwardKernel softmax_backward[2] = {};
};

// The table for the active ISA (dispatch.hpp), built once.
const ActivationKernels& activation_kernels();

void fill_activation_kernels_generic(ActivationKernels& table);
void fill_activation_kernels_avx2(ActivationKernels& table);
void fill_activation_kernels_avx512(ActivationKernels& table);

}  // namespace nncore
