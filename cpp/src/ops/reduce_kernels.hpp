// The table of reduction kernels for one ISA (filled in kernels_<isa>.cpp).
//
// Accumulators: sums of floating types accumulate in double, sums of integer and bool types
// in int64; max/min accumulate in the element type. A row kernel folds n strided elements
// into one accumulator; a column kernel folds one contiguous row into n accumulators
// (for reductions over a leading axis, where the kept axis is the contiguous one).
#pragma once

#include <cstdint>

#include "nncore/dtype.hpp"
#include "nncore/ops.hpp"

namespace nncore {

using ReduceRowKernel = void (*)(const void* x, int64_t n, int64_t stride, void* acc);
using ReduceColsKernel = void (*)(const void* x, int64_t n, void* acc);

constexpr int kNumReduceKinds = 3;  // sum, max, min (mean is a sum divided afterwards)

struct ReduceKernels {
  ReduceRowKernel row[kNumReduceKinds][kNumDTypes] = {};
  ReduceColsKernel cols[kNumReduceKinds][kNumDTypes] = {};
};

const ReduceKernels& reduce_kernels();

void fill_reduce_kernels_generic(ReduceKernels& table);
void fill_reduce_kernels_avx2(ReduceKernels& table);
void fill_reduce_kernels_avx512(ReduceKernels& table);

}  // namespace nncore
