// Direct convolution kernels for convs with few output channels (ungrouped), one table per
// ISA (conv_direct_<isa>.cpp, from conv_direct_impl.hpp).
//
// With few output channels the im2col + GEMM route spends its time gathering and packing
// a matrix K times the input's size for a GEMM whose tiles are mostly empty. These kernels
// read a zero-padded planar copy of the input, (N, C, hp, wp), in place instead and keep
// the output channels of a few pixels in vector registers:
//   forward      for a run of P output pixels: acc[p][:] += x(p, tap) * w[tap][:]
//   weight grad  for the KW taps of a kernel row: acc[kw][:] += x(p, kw) * dy[p][:]
// In the planar copy the P pixels of one tap (stride 1), and the KW taps of one pixel, sit
// at fixed distances, so every load is a constant displacement from one pointer. The
// output channels are padded to a lane class of 32, 64 or 128 bytes (8, 16 or 32 floats).
// Taps are ordered (ci, kh, kw) here, the weight rows likewise.
#pragma once

#include <cstdint>

namespace nncore {

template <class T>
struct DirectConvArgs {
  const T* x;  // padded planar input (N, c, hp, wp); readable a few rows past the end
  int64_t hp, wp, c;
  int64_t kh, kw, sh, sw, dh, dw;
  int64_t oh, ow, cout;
  int64_t lanes;  // cout rounded up to the kernel's lane class
  const T* w;     // (c * kh * kw, lanes) rows in (ci, kh, kw) order, zero-padded
  const T* bias;  // lanes entries (zeros when the conv has none)
  T* out;         // forward: (N * oh * ow, cout) contiguous
  const T* gy;    // weight grad: (N * oh * ow, cout) contiguous
};

// Pixels per forward tile: the variants compiled (capped by the ISA's register budget).
constexpr int kDirectTiles[4] = {8, 12, 16, 28};
constexpr int kDirectMaxKw = 7;  // weight-grad kernels unrolled for kernel widths 1..7

template <class T>
struct DirectConvFns {
  // Output rows [q0, q1) (q = n * oh + oh_index).
  using Forward = void (*)(const DirectConvArgs<T>& a, int64_t q0, int64_t q1);
  // Adds the weight gradient of output rows [q0, q1) into part, (c * kh * kw, lanes).
  using WeightGrad = void (*)(const DirectConvArgs<T>& a, int64_t q0, int64_t q1, T* part);
  // [lane class: 32, 64, 128 bytes][tile variant][0: any stride, 1: stride 1]
  Forward forward[3][4][2] = {};
  // [lane class][kernel width, 0: any]
  WeightGrad weight_grad[3][kDirectMaxKw + 1] = {};
  int max_tile[3] = {};  // pixels per tile the registers allow, per lane class
};

struct ConvDirectKernels {
  DirectConvFns<float> f32;
  DirectConvFns<double> f64;
};

// Lane class for cout outputs of an itemsize-byte type: 0, 1, 2, or -1 when too many.
inline int direct_lane_class(int64_t cout, int64_t itemsize) {
  const int64_t bytes = cout * itemsize;
  return bytes <= 32 ? 0 : bytes <= 64 ? 1 : bytes <= 128 ? 2 : -1;
}
inline int64_t direct_lanes(int lane_class, int64_t itemsize) {
  return (int64_t(32) << lane_class) / itemsize;
}

const ConvDirectKernels& conv_direct_kernels();

void fill_conv_direct_generic(ConvDirectKernels& table);
void fill_conv_direct_avx2(ConvDirectKernels& table);
void fill_conv_direct_avx512(ConvDirectKernels& table);

}  // namespace nncore
