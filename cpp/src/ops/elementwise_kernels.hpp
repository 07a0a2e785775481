// The table of elementwise inner-loop kernels for one ISA.
//
// An inner kernel processes n elements along one dimension, each operand with its own
// element stride (0 for a broadcast operand). The strided loop (strided_loop.hpp) walks the
// outer dimensions and calls it once per row. A null entry means the op does not support
// that dtype. Each ISA fills its table in its own translation unit
// (elementwise_<isa>.cpp), compiled with that ISA's flags.
#pragma once

#include <cstdint>

#include "nncore/dtype.hpp"
#include "nncore/ops.hpp"

namespace nncore {

using BinaryKernel = void (*)(int64_t n, void* out, int64_t so, const void* a, int64_t sa,
                              const void* b, int64_t sb);
using UnaryKernel = void (*)(int64_t n, void* out, int64_t so, const void* a, int64_t sa);
using ClipKernel = void (*)(int64_t n, void* out, int64_t so, const void* a, int64_t sa,
                            bool has_lo, double lo, bool has_hi, double hi);
using WhereKernel = void (*)(int64_t n, void* out, int64_t so, const void* cond, int64_t sc,
                             const void* a, int64_t sa, const void* b, int64_t sb);

struct ElementwiseKernels {
  BinaryKernel binary[kNumBinaryOps][kNumDTypes] = {};
  UnaryKernel unary[kNumUnaryOps][kNumDTypes] = {};
  UnaryKernel cast[kNumDTypes][kNumDTypes] = {};  // [from][to]
  ClipKernel clip[kNumDTypes] = {};
  WhereKernel where[kNumDTypes] = {};
};

// The table for the active ISA (dispatch.hpp), built once.
const ElementwiseKernels& elementwise_kernels();

void fill_elementwise_kernels_generic(ElementwiseKernels& table);
void fill_elementwise_kernels_avx2(ElementwiseKernels& table);
void fill_elementwise_kernels_avx512(ElementwiseKernels& table);

}  // namespace nncore
