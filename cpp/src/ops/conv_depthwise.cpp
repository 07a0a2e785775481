// Depthwise conv2d (groups == in channels == out channels): direct kernels.
//
// Each output channel sees one input channel, so im2col + GEMM would multiply matrices one
// column wide. Here the innermost loop runs over the channels, contiguous in NHWC, and
// the compiler vectorises it. The input gradient is gathered (each input pixel sums the
// taps that read it), so threads write disjoint pixels and need no zero-fill; the weight
// gradient is summed in a fixed number of partials, added in order.
#include <algorithm>
#include <vector>

#include "ops/conv_geometry.hpp"

namespace nncore {
namespace {

constexpr int64_t kMaxPartials = 16;
constexpr int64_t kRowsPerPart = 64;

}  // namespace

bool use_depthwise_kernel(const ConvGeometry& g) {
  return g.groups > 1 && g.groups == g.c && g.cout == g.c && g.xs_c == 1;
}

template <class T>
void depthwise_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* out) {
  const int64_t C = g.c;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, g.ow * C * g.kh * g.kw));
  parallel_for(g.out_rows(), grain, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t n = q / g.oh, oh = q % g.oh;
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        T* acc = out + (q * g.ow + ow) * C;
        for (int64_t c = 0; c < C; ++c) acc[c] = bias ? bias[c] : T(0);
        for (int64_t kh = 0; kh < g.kh; ++kh) {
          const int64_t ih = oh * g.sh - g.pt + kh * g.dh;
          if (ih < 0 || ih >= g.h) continue;
          for (int64_t kw = 0; kw < g.kw; ++kw) {
            const int64_t iw = ow * g.sw - g.pl + kw * g.dw;
            if (iw < 0 || iw >= g.w) continue;
            const T* __restrict xp = x + n * g.xs_n + ih * g.xs_h + iw * g.xs_w;
            const T* __restrict wp = w + (kh * g.kw + kw) * C;
            T* __restrict a = acc;
            for (int64_t c = 0; c < C; ++c) a[c] += xp[c] * wp[c];
          }
        }
      }
    }
  });
}

// gx contiguous (N, H, W, C); gy contiguous (N, OH, OW, C).
template <class T>
void depthwise_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
  const int64_t C = g.c;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, g.w * C * g.kh * g.kw));
  parallel_for(g.n * g.h, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = r / g.h, ih = r % g.h;
      for (int64_t iw = 0; iw < g.w; ++iw) {
        T* __restrict acc = gx + (r * g.w + iw) * C;
        for (int64_t c = 0; c < C; ++c) acc[c] = T(0);
        for (int64_t kh = 0; kh < g.kh; ++kh) {
          const int64_t th = ih + g.pt - kh * g.dh;  // = oh * sh for a tap that reads ih
          if (th < 0 || th % g.sh != 0 || th / g.sh >= g.oh) continue;
          const int64_t oh = th / g.sh;
          for (int64_t kw = 0; kw < g.kw; ++kw) {
            const int64_t tw = iw + g.pl - kw * g.dw;
            if (tw < 0 || tw % g.sw != 0 || tw / g.sw >= g.ow) continue;
            const T* __restrict gp = gy + ((n * g.oh + oh) * g.ow + tw / g.sw) * C;
            const T* __restrict wp = w + (kh * g.kw + kw) * C;
            for (int64_t c = 0; c < C; ++c) acc[c] += gp[c] * wp[c];
          }
        }
      }
    }
  });
}

// gw (KH, KW, 1, C) contiguous; gy contiguous.
template <class T>
void depthwise_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
  const int64_t C = g.c, taps = g.kh * g.kw, NQ = g.out_rows();
  const int64_t per_part = std::max(kRowsPerPart, ceil_div(NQ, kMaxPartials));
  const int64_t parts = ceil_div(NQ, per_part);
  std::vector<T> partial(static_cast<size_t>(parts * taps * C), T(0));
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* part = partial.data() + p * taps * C;
      const int64_t q1 = std::min(NQ, (p + 1) * per_part);
      for (int64_t q = p * per_part; q < q1; ++q) {
        const int64_t n = q / g.oh, oh = q % g.oh;
        for (int64_t kh = 0; kh < g.kh; ++kh) {
          const int64_t ih = oh * g.sh - g.pt + kh * g.dh;
          if (ih < 0 || ih >= g.h) continue;
          for (int64_t kw = 0; kw < g.kw; ++kw) {
            T* __restrict acc = part + (kh * g.kw + kw) * C;
            for (int64_t ow = 0; ow < g.ow; ++ow) {
              const int64_t iw = ow * g.sw - g.pl + kw * g.dw;
              if (iw < 0 || iw >= g.w) continue;
              const T* __restrict xp = x + n * g.xs_n + ih * g.xs_h + iw * g.xs_w;
              const T* __restrict gp = gy + (q * g.ow + ow) * C;
              for (int64_t c = 0; c < C; ++c) acc[c] += xp[c] * gp[c];
            }
          }
        }
      }
    }
  });
  for (int64_t i = 0; i < taps * C; ++i) {
    T s = partial[i];
    for (int64_t p = 1; p < parts; ++p) s += partial[p * taps * C + i];
    gw[i] = s;
  }
}

template void depthwise_forward<float>(const ConvGeometry&, const float*, const float*,
                                       const float*, float*);
template void depthwise_forward<double>(const ConvGeometry&, const double*, const double*,
                                        const double*, double*);
template void depthwise_backward_input<float>(const ConvGeometry&, const float*, const float*,
                                              float*);
template void depthwise_backward_input<double>(const ConvGeometry&, const double*,
                                               const double*, double*);
template void depthwise_backward_weight<float>(const ConvGeometry&, const float*, const float*,
                                               float*);
template void depthwise_backward_weight<double>(const ConvGeometry&, const double*,
                                                const double*, double*);

}  // namespace nncore
