// General matrix multiply, the engine's workhorse (dense, convolution and recurrent layers
// all end up here).
//
//   C = alpha * A @ B + beta * C        A: m x k, B: k x n, C: m x n
//
// Every operand is given by a pointer and two element strides (row stride, column stride),
// like BLIS: element (i, j) of A is a[i * rsa + j * csa]. A transposed operand is the same
// memory with its strides swapped, so all four transpose combinations (and any strided
// view) are handled by the packing routines without materialising a transpose.
// beta == 0 means C is not read (it may hold NaN or garbage).
//
// Results are bitwise identical for any thread count: threads split C into blocks, and
// every element of C is accumulated over k in the same order whatever the split.
#pragma once

#include <cstdint>

namespace nncore {

void gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa,
          int64_t csa, const float* b, int64_t rsb, int64_t csb, float beta, float* c,
          int64_t rsc, int64_t csc);

void gemm(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa,
          int64_t csa, const double* b, int64_t rsb, int64_t csb, double beta, double* c,
          int64_t rsc, int64_t csc);

}  // namespace nncore
