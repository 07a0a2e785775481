// Drivers of the direct convolution kernels (conv_direct_kernels.hpp): ungrouped convs
// whose output channels fit in a few vector registers (LeNet's 1 -> 6 and 6 -> 16).
//
// The input is first copied into a zero-padded contiguous buffer (the kernels then need
// no bounds checks; it is the input's size, not im2col's K times that), and the weight
// rows are padded to the kernels' lane count. The forward splits output rows into chunks;
// the weight gradient sums a fixed number of partials, each over a run of output rows,
// in index order -- no dependence on the thread count.
#include <algorithm>
#include <cstring>

#include "nncore/dispatch.hpp"
#include "ops/conv_direct_kernels.hpp"
#include "ops/conv_geometry.hpp"

namespace nncore {

const ConvDirectKernels& conv_direct_kernels() {
  static const ConvDirectKernels table = build_for_active_isa<ConvDirectKernels>(
      fill_conv_direct_generic, fill_conv_direct_avx2, fill_conv_direct_avx512);
  return table;
}

namespace {

constexpr int64_t kMaxPartials = 16;
constexpr int64_t kMinPartPixels = 512;
// Pixels per weight-gradient kernel call: the rows it revisits once per block of taps stay
// in L2.
constexpr int64_t kWeightGradPixels = 2048;

template <class T>
const DirectConvFns<T>& direct_fns() {
  if constexpr (sizeof(T) == 4) return conv_direct_kernels().f32;
  else return conv_direct_kernels().f64;
}

// The padded planar input (N, C, hp, wp): rows [0, hp) x columns [0, wp) of each channel
// of the input, shifted by the top/left padding, zeros elsewhere, plus zeroed slack the
// kernels may read past the last row.
template <class T>
Tensor pad_input(const ConvGeometry& g, const T* x, int64_t hp, int64_t wp, DType dtype) {
  const int64_t C = g.c, plane = hp * wp;
  const int64_t slack = 64 * g.sw + 64;
  Tensor buf = Tensor::empty(Dims{g.n * C * plane + slack}, dtype);
  T* dst = buf.data<T>();
  std::fill(dst + g.n * C * plane, dst + g.n * C * plane + slack, T(0));
  const int64_t w_begin = std::min(g.pl, wp);
  const int64_t w_count = std::max<int64_t>(0, std::min(g.w, wp - g.pl));
  parallel_for(g.n * hp, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, wp * C)),
               [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = r / hp, row = r % hp, ih = row - g.pt;
      T* d = dst + n * C * plane + row * wp;
      if (ih < 0 || ih >= g.h || w_count == 0) {
        for (int64_t c = 0; c < C; ++c) std::fill(d + c * plane, d + c * plane + wp, T(0));
        continue;
      }
      const T* s = x + n * g.xs_n + ih * g.xs_h;
      for (int64_t c = 0; c < C; ++c) {
        T* dc = d + c * plane;
        std::fill(dc, dc + w_begin, T(0));
        std::fill(dc + w_begin + w_count, dc + wp, T(0));
      }
      if (C == 1 && g.xs_w == 1) {
        std::memcpy(d + w_begin, s, static_cast<size_t>(w_count) * sizeof(T));
        continue;
      }
      // Read the input row in order; each channel's plane receives a run.
      for (int64_t iw = 0; iw < w_count; ++iw)
        for (int64_t c = 0; c < C; ++c) d[c * plane + w_begin + iw] = s[iw * g.xs_w + c * g.xs_c];
    }
  });
  return buf;
}

template <class T>
DirectConvArgs<T> make_args(const ConvGeometry& g, const Tensor& xpad, int64_t hp,
                            int64_t wp, int64_t lanes) {
  DirectConvArgs<T> a{};
  a.x = xpad.data<T>();
  a.hp = hp;
  a.wp = wp;
  a.c = g.c;
  a.kh = g.kh;
  a.kw = g.kw;
  a.sh = g.sh;
  a.sw = g.sw;
  a.dh = g.dh;
  a.dw = g.dw;
  a.oh = g.oh;
  a.ow = g.ow;
  a.cout = g.cout;
  a.lanes = lanes;
  return a;
}

// The smallest compiled tile that covers the output row in as few tiles as the
// registers allow (28 pixels -> one tile of 28, 10 -> 12, 14 -> 16).
template <class T>
int tile_variant(const DirectConvFns<T>& f, int cls, int64_t ow) {
  const int64_t max_tile = f.max_tile[cls];
  const int64_t need = ceil_div(ow, ceil_div(ow, max_tile));
  for (int i = 0; i < 4; ++i)
    if (kDirectTiles[i] >= need || kDirectTiles[i] >= max_tile) return i;
  return 3;
}

inline int64_t padded_h(const ConvGeometry& g) { return (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1; }
inline int64_t padded_w(const ConvGeometry& g) { return (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1; }

}  // namespace

bool use_direct_kernel(const ConvGeometry& g, int64_t itemsize) {
  const int cls = direct_lane_class(g.cout, itemsize);
  return g.groups == 1 && cls >= 0 && g.oh > 0 && g.ow > 0;
}

template <class T>
void direct_conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias,
                         T* out, DType dtype) {
  const int cls = direct_lane_class(g.cout, sizeof(T));
  const int64_t lanes = direct_lanes(cls, sizeof(T)), K = g.k();
  const int64_t hp = padded_h(g), wp = padded_w(g);
  const Tensor xpad = pad_input(g, x, hp, wp, dtype);
  Tensor wpad = Tensor::empty(Dims{K * lanes + lanes}, dtype);
  T* pw = wpad.data<T>();
  std::fill(pw, pw + K * lanes + lanes, T(0));
  // Weight rows (kh, kw, ci) -> the kernels' tap order (ci, kh, kw).
  for (int64_t kh = 0; kh < g.kh; ++kh)
    for (int64_t kw = 0; kw < g.kw; ++kw)
      for (int64_t ci = 0; ci < g.c; ++ci)
        std::memcpy(pw + ((ci * g.kh + kh) * g.kw + kw) * lanes,
                    w + ((kh * g.kw + kw) * g.c + ci) * g.cout, g.cout * sizeof(T));
  T* pb = pw + K * lanes;  // the bias row, after the weights
  if (bias) std::memcpy(pb, bias, g.cout * sizeof(T));
  DirectConvArgs<T> a = make_args<T>(g, xpad, hp, wp, lanes);
  a.w = pw;
  a.bias = pb;
  a.out = out;
  const auto fn = direct_fns<T>().forward[cls][tile_variant(direct_fns<T>(), cls, g.ow)]
                                          [g.sw == 1 ? 1 : 0];
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 17) / std::max<int64_t>(1, g.ow * K * lanes));
  parallel_for(g.out_rows(), grain, [&](int64_t q0, int64_t q1) { fn(a, q0, q1); });
}

template <class T>
void direct_conv_weight_grad(const ConvGeometry& g, const T* x, const T* gy, T* gw,
                             DType dtype) {
  const int cls = direct_lane_class(g.cout, sizeof(T));
  const int64_t lanes = direct_lanes(cls, sizeof(T)), K = g.k(), NQ = g.out_rows();
  const int64_t hp = padded_h(g), wp = padded_w(g);
  const Tensor xpad = pad_input(g, x, hp, wp, dtype);
  DirectConvArgs<T> a = make_args<T>(g, xpad, hp, wp, lanes);
  a.gy = gy;
  const int64_t min_rows = std::max<int64_t>(1, ceil_div(kMinPartPixels, g.ow));
  const int64_t per_part = std::max(min_rows, ceil_div(NQ, kMaxPartials));
  const int64_t parts = ceil_div(NQ, per_part);
  const int64_t sub = std::max<int64_t>(1, kWeightGradPixels / g.ow);
  Tensor partial = Tensor::empty(Dims{parts * K * lanes}, dtype);
  T* pp = partial.data<T>();
  const auto fn = direct_fns<T>().weight_grad[cls][g.kw <= kDirectMaxKw ? g.kw : 0];
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* part = pp + p * K * lanes;
      std::fill(part, part + K * lanes, T(0));
      const int64_t end = std::min(NQ, (p + 1) * per_part);
      for (int64_t q0 = p * per_part; q0 < end; q0 += sub) fn(a, q0, std::min(q0 + sub, end), part);
    }
  });
  // Partials in index order, taps back from (ci, kh, kw) to the weight's (kh, kw, ci).
  for (int64_t kh = 0; kh < g.kh; ++kh)
    for (int64_t kw = 0; kw < g.kw; ++kw)
      for (int64_t ci = 0; ci < g.c; ++ci) {
        const int64_t k = (ci * g.kh + kh) * g.kw + kw;
        T* dst = gw + ((kh * g.kw + kw) * g.c + ci) * g.cout;
        for (int64_t c = 0; c < g.cout; ++c) {
          T s = pp[k * lanes + c];
          for (int64_t p = 1; p < parts; ++p) s += pp[(p * K + k) * lanes + c];
          dst[c] = s;
        }
      }
}

template void direct_conv_forward<float>(const ConvGeometry&, const float*, const float*,
                                         const float*, float*, DType);
template void direct_conv_forward<double>(const ConvGeometry&, const double*, const double*,
                                          const double*, double*, DType);
template void direct_conv_weight_grad<float>(const ConvGeometry&, const float*, const float*,
                                             float*, DType);
template void direct_conv_weight_grad<double>(const ConvGeometry&, const double*,
                                              const double*, double*, DType);

}  // namespace nncore
