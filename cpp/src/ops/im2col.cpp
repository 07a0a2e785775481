// im2col and its adjoint col2im, the gathers that turn a convolution into a GEMM.
//
// Both walk output rows (n, oh) and, per kernel row kh, one input row ih: every input row is
// read while it is cache-hot, and windows that hang over the padding are split into a
// zero part and a copied part once per run instead of testing every element. Nothing is
// zero-filled in advance: each entry is written exactly once.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "ops/conv_geometry.hpp"

namespace nncore {
namespace {

// Copies len elements read with stride s. s == 1 goes to memcpy, whose run-time-selected
// wide copies beat the baseline-ISA loop this file is compiled to.
template <class T>
inline void gather(T* dst, const T* src, int64_t len, int64_t s) {
  if (s == 1) {
    if (len > 0) std::memcpy(dst, src, static_cast<size_t>(len) * sizeof(T));
  } else {
    for (int64_t i = 0; i < len; ++i) dst[i] = src[i * s];
  }
}

template <class T>
inline void scatter_add(T* dst, const T* src, int64_t len, int64_t s) {
  if (s == 1) {
    for (int64_t i = 0; i < len; ++i) dst[i] += src[i];
  } else {
    for (int64_t i = 0; i < len; ++i) dst[i * s] += src[i];
  }
}

template <class T>
inline void zero(T* dst, int64_t len) {
  for (int64_t i = 0; i < len; ++i) dst[i] = T(0);
}

// Output columns [lo, hi) whose tap kw lands inside the input row: iw = ow*sw + off in [0, W).
inline void valid_columns(const ConvGeometry& g, int64_t off, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
  hi = g.w - 1 - off < 0 ? 0 : (g.w - 1 - off) / g.sw + 1;
  lo = std::min(lo, g.ow);
  hi = std::max(std::min(hi, g.ow), lo);
}

// rows layout: per output pixel, per kernel row, KW runs of Cg channels -- one run of
// KW * Cg when the window row is inside the input and contiguous in memory.
template <class T>
void im2col_rows(const ConvGeometry& g, const T* x, int64_t group, int64_t q0, int64_t q1,
                 T* col) {
  const int64_t K = g.k(), run = g.kw * g.cg;
  const bool dense = g.xs_c == 1 && g.xs_w == g.cg && g.dw == 1;
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t n = q / g.oh, oh = q % g.oh;
    T* dst_row = col + (q - q0) * g.ow * K;
    for (int64_t kh = 0; kh < g.kh; ++kh) {
      const int64_t ih = oh * g.sh - g.pt + kh * g.dh;
      if (ih < 0 || ih >= g.h) {
        for (int64_t ow = 0; ow < g.ow; ++ow) zero(dst_row + ow * K + kh * run, run);
        continue;
      }
      const T* src_row = x + n * g.xs_n + ih * g.xs_h + group * g.cg * g.xs_c;
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        T* dst = dst_row + ow * K + kh * run;
        const int64_t iw0 = ow * g.sw - g.pl;
        if (dense && iw0 >= 0 && iw0 + g.kw <= g.w) {
          gather(dst, src_row + iw0 * g.xs_w, run, int64_t(1));
          continue;
        }
        for (int64_t kw = 0; kw < g.kw; ++kw) {
          const int64_t iw = iw0 + kw * g.dw;
          if (iw < 0 || iw >= g.w) zero(dst + kw * g.cg, g.cg);
          else gather(dst + kw * g.cg, src_row + iw * g.xs_w, g.cg, g.xs_c);
        }
      }
    }
  }
}

// Output columns [lo, hi) of each kernel column kw whose tap lands inside the input row.
// They do not depend on the output row, so they are computed once per call.
struct TapColumns {
  std::vector<int64_t> lo, hi;
  explicit TapColumns(const ConvGeometry& g) : lo(g.kw), hi(g.kw) {
    for (int64_t kw = 0; kw < g.kw; ++kw) valid_columns(g, kw * g.dw - g.pl, lo[kw], hi[kw]);
  }
};

// planes layout: per tap (kh, kw, c), per output row, one run along the output width.
template <class T>
void im2col_planes(const ConvGeometry& g, const T* x, int64_t group, int64_t q0, int64_t q1,
                   T* col) {
  const int64_t R = (q1 - q0) * g.ow;
  const TapColumns cols(g);
  const int64_t step = g.sw * g.xs_w;
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t n = q / g.oh, oh = q % g.oh;
    const int64_t r0 = (q - q0) * g.ow;
    for (int64_t kh = 0; kh < g.kh; ++kh) {
      const int64_t ih = oh * g.sh - g.pt + kh * g.dh;
      T* dst_kh = col + kh * g.kw * g.cg * R + r0;
      if (ih < 0 || ih >= g.h) {
        for (int64_t t = 0; t < g.kw * g.cg; ++t) zero(dst_kh + t * R, g.ow);
        continue;
      }
      const T* src_row = x + n * g.xs_n + ih * g.xs_h + group * g.cg * g.xs_c;
      for (int64_t kw = 0; kw < g.kw; ++kw) {
        const int64_t lo = cols.lo[kw], hi = cols.hi[kw];
        const T* src_kw = src_row + (lo * g.sw + kw * g.dw - g.pl) * g.xs_w;
        for (int64_t ci = 0; ci < g.cg; ++ci) {
          T* dst = dst_kh + (kw * g.cg + ci) * R;
          zero(dst, lo);
          gather(dst + lo, src_kw + ci * g.xs_c, hi - lo, step);
          zero(dst + hi, g.ow - hi);
        }
      }
    }
  }
}

template <class T>
void col2im_rows(const ConvGeometry& g, const T* col, int64_t group, int64_t q0, int64_t q1,
                 T* gx) {
  const int64_t K = g.k();
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t n = q / g.oh, oh = q % g.oh;
    const T* src_row = col + (q - q0) * g.ow * K;
    for (int64_t kh = 0; kh < g.kh; ++kh) {
      const int64_t ih = oh * g.sh - g.pt + kh * g.dh;
      if (ih < 0 || ih >= g.h) continue;
      T* dst_row = gx + ((n * g.h + ih) * g.w) * g.c + group * g.cg;
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const T* src = src_row + ow * K + kh * g.kw * g.cg;
        const int64_t iw0 = ow * g.sw - g.pl;
        if (g.groups == 1 && g.dw == 1 && iw0 >= 0 && iw0 + g.kw <= g.w) {
          scatter_add(dst_row + iw0 * g.c, src, g.kw * g.cg, int64_t(1));
          continue;
        }
        for (int64_t kw = 0; kw < g.kw; ++kw) {
          const int64_t iw = iw0 + kw * g.dw;
          if (iw >= 0 && iw < g.w) scatter_add(dst_row + iw * g.c, src + kw * g.cg, g.cg, int64_t(1));
        }
      }
    }
  }
}

template <class T>
void col2im_planes(const ConvGeometry& g, const T* col, int64_t group, int64_t q0, int64_t q1,
                   T* gx) {
  const int64_t R = (q1 - q0) * g.ow;
  const TapColumns cols(g);
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t n = q / g.oh, oh = q % g.oh;
    const int64_t r0 = (q - q0) * g.ow;
    for (int64_t kh = 0; kh < g.kh; ++kh) {
      const int64_t ih = oh * g.sh - g.pt + kh * g.dh;
      if (ih < 0 || ih >= g.h) continue;
      T* dst_row = gx + ((n * g.h + ih) * g.w) * g.c + group * g.cg;
      for (int64_t kw = 0; kw < g.kw; ++kw) {
        const int64_t lo = cols.lo[kw], hi = cols.hi[kw];
        T* dst_kw = dst_row + (lo * g.sw + kw * g.dw - g.pl) * g.c;
        for (int64_t ci = 0; ci < g.cg; ++ci) {
          const T* src = col + ((kh * g.kw + kw) * g.cg + ci) * R + r0;
          scatter_add(dst_kw + ci, src + lo, hi - lo, g.sw * g.c);
        }
      }
    }
  }
}

template <class T>
struct Scratch {
  T* ptr[4] = {nullptr, nullptr, nullptr, nullptr};
  int64_t cap[4] = {0, 0, 0, 0};
  ~Scratch() {
    for (T* p : ptr) std::free(p);
  }
};

}  // namespace

ColLayout choose_col_layout(const ConvGeometry& g) {
  // A few channels per tap make the rows layout's runs short (a 5x5 kernel on one channel
  // copies five runs of 5 floats per pixel); planes copy runs of a whole output row.
  return g.cg * g.kw < 16 && g.sw == 1 ? ColLayout::planes : ColLayout::rows;
}

template <class T>
void im2col(const ConvGeometry& g, const T* x, int64_t group, int64_t q0, int64_t q1,
            ColLayout layout, T* col) {
  if (layout == ColLayout::rows) im2col_rows(g, x, group, q0, q1, col);
  else im2col_planes(g, x, group, q0, q1, col);
}

template <class T>
void col2im_add(const ConvGeometry& g, const T* col, int64_t group, int64_t q0, int64_t q1,
                ColLayout layout, T* gx) {
  if (layout == ColLayout::rows) col2im_rows(g, col, group, q0, q1, gx);
  else col2im_planes(g, col, group, q0, q1, gx);
}

template <class T>
T* thread_scratch(int slot, int64_t count) {
  thread_local Scratch<T> s;
  if (count > s.cap[slot]) {
    std::free(s.ptr[slot]);
    s.ptr[slot] = nullptr;
    s.cap[slot] = 0;
    const size_t bytes = (static_cast<size_t>(count) * sizeof(T) + 63) / 64 * 64;
    s.ptr[slot] = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (s.ptr[slot] == nullptr) throw std::bad_alloc();
    s.cap[slot] = count;
  }
  return s.ptr[slot];
}

template void im2col<float>(const ConvGeometry&, const float*, int64_t, int64_t, int64_t,
                            ColLayout, float*);
template void im2col<double>(const ConvGeometry&, const double*, int64_t, int64_t, int64_t,
                             ColLayout, double*);
template void col2im_add<float>(const ConvGeometry&, const float*, int64_t, int64_t, int64_t,
                                ColLayout, float*);
template void col2im_add<double>(const ConvGeometry&, const double*, int64_t, int64_t,
                                 int64_t, ColLayout, double*);
template float* thread_scratch<float>(int, int64_t);
template double* thread_scratch<double>(int, int64_t);

}  // namespace nncore
