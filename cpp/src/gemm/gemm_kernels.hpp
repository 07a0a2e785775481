// The contract between the GEMM driver (gemm.cpp) and its micro-kernels, and the table of
// kernels and block sizes per ISA (BLIS's "context").
//
// A micro-kernel computes one MR x NR tile of C from packed operands:
//
//   C[0:MR, 0:NR] = alpha * A_panel @ B_panel + beta * C[0:MR, 0:NR]
//
//   a: packed A micro-panel, k columns of MR contiguous elements (a[p * MR + i] = A(i, p))
//   b: packed B micro-panel, k rows of NR contiguous elements    (b[p * NR + j] = B(p, j))
//   c: the tile, column-major: element (i, j) at c[i + j * ldc]  (unit row stride)
//
// A kernel for an unpacked B (ukr_unpacked_b, where an ISA has one) reads B element
// (p, j) at b[p + j * ldb]: an operand whose columns run contiguously along k, such as
// the rows of a small row-major activation in C^T = B^T A^T, is used where it lies
// instead of being transposed into a micro-panel.
//
// Kernels handle full tiles; where an ISA has narrow ones (ukr_narrow*), a full-height
// tile of the last, partial column of tiles goes straight to C through them. The driver
// routes the other edge tiles and C with a non-unit row stride through a local tile. beta == 0 means C is not read. Packed panels are 64-byte
// aligned. This header is included by baseline and ISA files alike, so it holds no
// intrinsics.
#pragma once

#include <cstdint>

#include "nncore/dispatch.hpp"

namespace nncore {

template <class T>
using GemmUkr = void (*)(int64_t k, T alpha, const T* a, const T* b, T beta, T* c,
                         int64_t ldc);

template <class T>
using GemmUkrUnpackedB = void (*)(int64_t k, T alpha, const T* a, const T* b, int64_t ldb,
                                  T beta, T* c, int64_t ldc);
// The same two for a full-height tile of only the first n < NR columns (the last column of
// tiles), written straight into C: b is still a full NR-wide packed micro-panel, or n
// unpacked columns.
template <class T>
using GemmUkrNarrow = void (*)(int64_t n, int64_t k, T alpha, const T* a, const T* b, T beta,
                               T* c, int64_t ldc);
template <class T>
using GemmUkrNarrowUnpackedB = void (*)(int64_t n, int64_t k, T alpha, const T* a,
                                        const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// Kernels and block sizes for one ISA and dtype. MC is a multiple of MR, NC of NR.
//   KC x NR  (B micro-panel) stays in L1 while the kernel sweeps the A block;
//   MC x KC  (packed A block) stays in L2;
//   KC x NC  (packed B block) stays in L3.
template <class T>
struct GemmConfig {
  const char* name;
  GemmUkr<T> ukr;
  int mr, nr;
  int64_t kc, mc, nc;
  GemmUkrUnpackedB<T> ukr_unpacked_b = nullptr;  // null: B is always packed
  GemmUkrNarrow<T> ukr_narrow = nullptr;           // null: edge tiles use a scratch tile
  GemmUkrNarrowUnpackedB<T> ukr_narrow_unpacked_b = nullptr;
};

// The table for the given ISA (gemm_config.cpp).
const GemmConfig<float>& gemm_config_f32(Isa isa);
const GemmConfig<double>& gemm_config_f64(Isa isa);

// The micro-kernels, one translation unit each, each ISA in its own namespace so inline
// helpers compiled with different flags never meet (ODR).
namespace gemm_generic {
template <class T, int MR, int NR>
void ukr(int64_t k, T alpha, const T* a, const T* b, T beta, T* c, int64_t ldc);
template <class T, int MR, int NR>
void ukr_unpacked_b(int64_t k, T alpha, const T* a, const T* b, int64_t ldb, T beta, T* c,
                    int64_t ldc);
}  // namespace gemm_generic

namespace gemm_avx512 {
void ukr_f32_32x12(int64_t k, float alpha, const float* a, const float* b, float beta,
                   float* c, int64_t ldc);
void ukr_f32_32x12_unpacked_b(int64_t k, float alpha, const float* a, const float* b,
                              int64_t ldb, float beta, float* c, int64_t ldc);
void ukr_f32_32xn(int64_t n, int64_t k, float alpha, const float* a, const float* b,
                  float beta, float* c, int64_t ldc);
void ukr_f32_32xn_unpacked_b(int64_t n, int64_t k, float alpha, const float* a,
                             const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void ukr_f64_16x14(int64_t k, double alpha, const double* a, const double* b, double beta,
                   double* c, int64_t ldc);
}  // namespace gemm_avx512

namespace gemm_avx2 {
void ukr_f32_16x6(int64_t k, float alpha, const float* a, const float* b, float beta,
                  float* c, int64_t ldc);
void ukr_f64_8x6(int64_t k, double alpha, const double* a, const double* b, double beta,
                 double* c, int64_t ldc);
}  // namespace gemm_avx2

}  // namespace nncore
