// Reference micro-kernel in plain C++: the fallback on CPUs without AVX2 (and on non-x86
// builds), and the oracle the SIMD kernels are tested against. Written for clarity; the
// compiler's vectoriser does what it can with the fixed-size loops.
#include "gemm/gemm_kernels.hpp"

namespace nncore {
namespace gemm_generic {

namespace {

// B element (p, j) at b[p * bs_k + j * bs_j]: a packed micro-panel (NR, 1) or an unpacked
// operand (1, ldb).
template <class T, int MR, int NR>
void ukr_strided_b(int64_t k, T alpha, const T* a, const T* b, int64_t bs_k, int64_t bs_j,
                   T beta, T* c, int64_t ldc) {
  T ab[NR][MR] = {};
  for (int64_t p = 0; p < k; ++p) {
    for (int j = 0; j < NR; ++j) {
      const T bj = b[p * bs_k + j * bs_j];
      for (int i = 0; i < MR; ++i) ab[j][i] += a[p * MR + i] * bj;
    }
  }
  for (int j = 0; j < NR; ++j) {
    T* cj = c + j * ldc;
    // beta == 0 must not read C: it may hold NaN.
    if (beta == T(0)) {
      for (int i = 0; i < MR; ++i) cj[i] = alpha * ab[j][i];
    } else {
      for (int i = 0; i < MR; ++i) cj[i] = alpha * ab[j][i] + beta * cj[i];
    }
  }
}

}  // namespace

template <class T, int MR, int NR>
void ukr(int64_t k, T alpha, const T* a, const T* b, T beta, T* c, int64_t ldc) {
  ukr_strided_b<T, MR, NR>(k, alpha, a, b, NR, 1, beta, c, ldc);
}

template <class T, int MR, int NR>
void ukr_unpacked_b(int64_t k, T alpha, const T* a, const T* b, int64_t ldb, T beta, T* c,
                    int64_t ldc) {
  ukr_strided_b<T, MR, NR>(k, alpha, a, b, 1, ldb, beta, c, ldc);
}

template void ukr<float, 8, 4>(int64_t, float, const float*, const float*, float, float*,
                               int64_t);
template void ukr<double, 8, 4>(int64_t, double, const double*, const double*, double,
                                double*, int64_t);
template void ukr_unpacked_b<float, 8, 4>(int64_t, float, const float*, const float*, int64_t,
                                          float, float*, int64_t);
template void ukr_unpacked_b<double, 8, 4>(int64_t, double, const double*, const double*,
                                           int64_t, double, double*, int64_t);

}  // namespace gemm_generic
}  // namespace nncore
