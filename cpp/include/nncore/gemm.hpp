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
#include <memory>

namespace nncore {

void gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa,
          int64_t csa, const float* b, int64_t rsb, int64_t csb, float beta, float* c,
          int64_t rsc, int64_t csc);

void gemm(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa,
          int64_t csa, const double* b, int64_t rsb, int64_t csb, double beta, double* c,
          int64_t rsc, int64_t csc);

// ---- an operand packed once for many products ----
// A recurrent layer multiplies its recurrent kernel by a new h at every time step; packing
// the kernel for each product would cost a sizeable share of it. PackedB holds B (k x n)
// packed once (MKL's sgemm_pack idea); gemm(m, alpha, A, b, beta, C) then computes
// C = alpha * A @ B + beta * C for an m x k A and a row-major C (unit column stride, row
// stride rsc), with the same arithmetic as the plain gemm() on the same operands. Where
// the kernel set can, an A whose rows are contiguous is read where it lies rather than
// packed per call (the per-step operand of a recurrent layer is small and changes every
// step). Packed layouts belong to the kernel set active in this process.
template <class T>
class PackedB {
 public:
  PackedB() = default;
  PackedB(int64_t k, int64_t n, const T* b, int64_t rsb, int64_t csb);
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  const T* data() const { return data_.get(); }

 private:
  int64_t k_ = 0, n_ = 0;
  std::shared_ptr<T> data_;
};

void gemm(int64_t m, float alpha, const float* a, int64_t rsa, int64_t csa,
          const PackedB<float>& b, float beta, float* c, int64_t rsc);
void gemm(int64_t m, double alpha, const double* a, int64_t rsa, int64_t csa,
          const PackedB<double>& b, double beta, double* c, int64_t rsc);

}  // namespace nncore
