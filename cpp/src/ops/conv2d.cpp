// conv2d on channels-last images: im2col + GEMM, forward and both gradients.
//
// Work is cut into chunks of output rows (n, oh) sized so one chunk's im2col matrix stays
// in L2; each chunk gathers its matrix and runs its own (single-threaded) GEMM, so the
// gather and the multiply share the cache. Chunk sizes depend on the shapes only, never on
// the thread count:
//   forward        out[rows] = col[rows] @ W  (+ bias), straight into the NHWC output;
//   weight grad    dW = sum over chunks of col^T @ dY, with a fixed number of partial sums
//                  (each a run of consecutive chunks) added in order at the end;
//   input grad     dcol = dY @ W^T per chunk, scattered back by col2im; a thread owns
//                  whole images, so no two threads add into one pixel.
// A 1x1, stride-1, unpadded conv skips im2col (the input already is the matrix), and
// depthwise convs run direct kernels (conv_depthwise.cpp).
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "autograd/record.hpp"
#include "gemm/gemm_kernels.hpp"
#include "nncore/conv.hpp"
#include "nncore/errors.hpp"
#include "nncore/gemm.hpp"
#include "nncore/ops.hpp"
#include "ops/conv_geometry.hpp"
#include "ops/conv_checks.hpp"

namespace nncore {
namespace {

// One chunk's im2col matrix: small enough to stay in L2 next to the GEMM's packed
// blocks, large enough that the GEMM's per-call overhead is amortised.
constexpr int64_t kChunkBytes = 160 * 1024;
constexpr int64_t kMinChunkRows = 192;
// The weight gradient is summed in at most this many partials (bounded in bytes too).
constexpr int64_t kMaxPartials = 16;
constexpr int64_t kPartialBytes = int64_t(8) << 20;

template <class T>
DType dtype_of() {
  return sizeof(T) == 4 ? DType::float32 : DType::float64;
}

template <class T>
void tile_shape(int& mr, int& nr) {
  if (sizeof(T) == 4) {
    const GemmConfig<float>& c = gemm_config_f32(active_isa());
    mr = c.mr;
    nr = c.nr;
  } else {
    const GemmConfig<double>& c = gemm_config_f64(active_isa());
    mr = c.mr;
    nr = c.nr;
  }
}

// The fraction of a GEMM micro-tile's lanes doing useful work for a dimension of m.
inline double tile_use(int64_t m, int tile) {
  return static_cast<double>(m) / static_cast<double>(ceil_div(m, tile) * tile);
}

// Output rows (n, oh) per chunk.
template <class T>
int64_t chunk_out_rows(const ConvGeometry& g) {
  const int64_t bytes_per_row = std::max<int64_t>(1, g.k()) * int64_t(sizeof(T));
  const int64_t rows = std::max(kChunkBytes / bytes_per_row, kMinChunkRows);
  return std::max<int64_t>(1, rows / std::max<int64_t>(1, g.ow));
}

// The im2col matrix of a chunk as GEMM operand (rows x K): pointer and strides.
struct ColOperand {
  const void* data;
  int64_t rs, cs;
};

template <class T>
ColOperand gather_chunk(const ConvGeometry& g, const T* x, int64_t group, int64_t q0,
                        int64_t q1, bool identity, ColLayout layout, T* col) {
  if (identity)  // the rows of x, in order (ConvGeometry::im2col_is_identity)
    return {x + q0 * g.ow * g.xs_w + group * g.cg * g.xs_c, g.xs_w, g.xs_c};
  im2col(g, x, group, q0, q1, layout, col);
  const int64_t R = (q1 - q0) * g.ow;
  if (layout == ColLayout::rows) return {col, g.k(), 1};
  return {col, 1, R};
}

template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* out) {
  if (use_depthwise_kernel(g)) return depthwise_forward(g, x, w, bias, out);
  if (use_direct_kernel(g, sizeof(T))) return direct_conv_forward(g, x, w, bias, out, dtype_of<T>());
  const int64_t K = g.k();
  const bool identity = g.im2col_is_identity();
  const ColLayout layout = choose_col_layout(g);
  int mr, nr;
  tile_shape<T>(mr, nr);
  // Written directly, the GEMM puts output channels along its MR side (the NHWC output is
  // C^T for its column-major kernels); a few channels waste most of that tile. Then the
  // GEMM writes a pixel-major block instead and it is transposed into place.
  const bool via_block = tile_use(g.coutg, nr) > tile_use(g.coutg, mr) + 0.1;
  parallel_for(g.out_rows(), chunk_out_rows<T>(g), [&](int64_t q0, int64_t q1) {
    const int64_t R = (q1 - q0) * g.ow;
    T* o = out + q0 * g.ow * g.cout;
    T* col = identity ? nullptr : thread_scratch<T>(0, R * K);
    T* block = via_block ? thread_scratch<T>(1, R * g.coutg) : nullptr;
    if (!via_block && bias != nullptr)
      for (int64_t r = 0; r < R; ++r) std::memcpy(o + r * g.cout, bias, g.cout * sizeof(T));
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const ColOperand a = gather_chunk(g, x, grp, q0, q1, identity, layout, col);
      const T* pa = static_cast<const T*>(a.data);
      const T* b = w + grp * g.coutg;
      if (!via_block) {
        gemm(R, g.coutg, K, T(1), pa, a.rs, a.cs, b, g.cout, 1, bias ? T(1) : T(0),
             o + grp * g.coutg, g.cout, 1);
        continue;
      }
      gemm(R, g.coutg, K, T(1), pa, a.rs, a.cs, b, g.cout, 1, T(0), block, 1, R);
      for (int64_t j = 0; j < g.coutg; ++j) {
        const int64_t co = grp * g.coutg + j;
        const T bj = bias ? bias[co] : T(0);
        const T* src = block + j * R;
        for (int64_t r = 0; r < R; ++r) o[r * g.cout + co] = src[r] + bj;
      }
    }
  });
}

// gw (K, Cout) contiguous, the weight's (KH, KW, Cg, Cout) layout.
template <class T>
void conv_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
  if (use_depthwise_kernel(g)) return depthwise_backward_weight(g, x, gy, gw);
  if (use_direct_kernel(g, sizeof(T))) return direct_conv_weight_grad(g, x, gy, gw, dtype_of<T>());
  const int64_t K = g.k(), NQ = g.out_rows();
  const bool identity = g.im2col_is_identity();
  const ColLayout layout = choose_col_layout(g);
  const int64_t chunk = chunk_out_rows<T>(g);
  const int64_t nchunks = ceil_div(NQ, chunk);
  const int64_t wsize = K * g.cout;
  const int64_t max_p = std::max<int64_t>(1, kPartialBytes / (wsize * int64_t(sizeof(T))));
  const int64_t per_part = ceil_div(nchunks, std::min({nchunks, kMaxPartials, max_p}));
  const int64_t parts = ceil_div(nchunks, per_part);
  int mr, nr;
  tile_shape<T>(mr, nr);
  // Each partial is K x Coutg per group, stored column-major (K along the GEMM's MR side)
  // or row-major (Coutg along it), whichever fills the micro-tiles better.
  const bool k_major = tile_use(K, mr) * tile_use(g.coutg, nr) >=
                       tile_use(g.coutg, mr) * tile_use(K, nr);
  const int64_t prs = k_major ? 1 : g.coutg, pcs = k_major ? K : 1;
  std::vector<T> partial(static_cast<size_t>(parts * wsize));
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c0 = p * per_part, c1 = std::min(c0 + per_part, nchunks);
      for (int64_t c = c0; c < c1; ++c) {
        const int64_t q0 = c * chunk, q1 = std::min(q0 + chunk, NQ);
        const int64_t R = (q1 - q0) * g.ow;
        T* col = identity ? nullptr : thread_scratch<T>(0, R * K);
        for (int64_t grp = 0; grp < g.groups; ++grp) {
          const ColOperand a = gather_chunk(g, x, grp, q0, q1, identity, layout, col);
          T* dst = partial.data() + p * wsize + grp * K * g.coutg;
          // col^T @ dY: the transpose is the same memory with strides swapped.
          gemm(K, g.coutg, R, T(1), static_cast<const T*>(a.data), a.cs, a.rs,
               gy + q0 * g.ow * g.cout + grp * g.coutg, g.cout, 1, c == c0 ? T(0) : T(1), dst,
               prs, pcs);
        }
      }
    }
  });
  // Partials are added in index order: the sum does not depend on who computed them.
  parallel_for(K, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.cout)),
               [&](int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; ++k)
      for (int64_t co = 0; co < g.cout; ++co) {
        const int64_t grp = co / g.coutg, j = co % g.coutg;
        const int64_t at = grp * K * g.coutg + k * prs + j * pcs;
        T s = partial[at];
        for (int64_t p = 1; p < parts; ++p) s += partial[p * wsize + at];
        gw[k * g.cout + co] = s;
      }
  });
}

// gx: a contiguous (N, H, W, C) tensor, overwritten. The geometry's input strides are gx's.
template <class T>
void conv_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
  if (use_depthwise_kernel(g)) return depthwise_backward_input(g, gy, w, gx);
  const int64_t K = g.k();
  if (g.im2col_is_identity()) {
    // dX = dY @ W^T straight into gx: one GEMM per group, threaded inside.
    for (int64_t grp = 0; grp < g.groups; ++grp)
      gemm(g.n * g.h * g.w, g.cg, g.coutg, T(1), gy + grp * g.coutg, g.cout, 1,
           w + grp * g.coutg, 1, g.cout, T(0), gx + grp * g.cg, g.c, 1);
    return;
  }
  const ColLayout layout = choose_col_layout(g);
  const int64_t chunk = chunk_out_rows<T>(g);
  // Threads own whole images (col2im of neighbouring output rows overlaps); small images
  // are grouped so a unit still has a chunk's worth of rows.
  const int64_t images = std::max<int64_t>(1, chunk / std::max<int64_t>(1, g.oh));
  const int64_t image_size = g.h * g.w * g.c;
  parallel_for(g.n, images, [&](int64_t n0, int64_t n1) {
    std::fill(gx + n0 * image_size, gx + n1 * image_size, T(0));
    const int64_t q_end = n1 * g.oh;
    for (int64_t q0 = n0 * g.oh; q0 < q_end; q0 += chunk) {
      const int64_t q1 = std::min(q0 + chunk, q_end);
      const int64_t R = (q1 - q0) * g.ow;
      T* col = thread_scratch<T>(0, R * K);
      const int64_t rs = layout == ColLayout::rows ? K : 1;
      const int64_t cs = layout == ColLayout::rows ? 1 : R;
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        gemm(R, K, g.coutg, T(1), gy + q0 * g.ow * g.cout + grp * g.coutg, g.cout, 1,
             w + grp * g.coutg, 1, g.cout, T(0), col, rs, cs);
        col2im_add(g, col, grp, q0, q1, layout, gx);
      }
    }
  });
}

}  // namespace

ConvGeometry make_geometry(const Tensor& x, int64_t kernel_h, int64_t kernel_w,
                           int64_t out_h, int64_t out_w, int64_t cout, const ConvOptions& o) {
  ConvGeometry g;
  g.n = x.size(0);
  g.h = x.size(1);
  g.w = x.size(2);
  g.c = x.size(3);
  g.kh = kernel_h;
  g.kw = kernel_w;
  g.oh = out_h;
  g.ow = out_w;
  g.cout = cout;
  g.groups = o.groups;
  g.cg = g.c / o.groups;
  g.coutg = cout / o.groups;
  g.sh = o.stride_h;
  g.sw = o.stride_w;
  g.pt = o.pad_top;
  g.pl = o.pad_left;
  g.dh = o.dilation_h;
  g.dw = o.dilation_w;
  g.xs_n = x.strides()[0];
  g.xs_h = x.strides()[1];
  g.xs_w = x.strides()[2];
  g.xs_c = x.strides()[3];
  return g;
}

namespace {

// conv2d without the checks and without recording; out_h/out_w may be fewer rows than the
// conv's reach (never more).
Tensor forward_unrecorded(const Tensor& x_in, const Tensor& w, const Tensor& bias,
                          const ConvOptions& o, int64_t oh, int64_t ow) {
  // im2col copies runs of channels; from a strided view (an NCHW tensor seen as NHWC, or
  // the broadcast gradient of a sum) it would gather element by element, nine times over
  // for a 3x3 kernel. One copy up front is far cheaper.
  const Tensor x = x_in.contiguous();
  const int64_t cout = w.size(3);
  Tensor out = Tensor::empty(Dims{x.size(0), oh, ow, cout}, x.dtype());
  if (out.numel() == 0) return out;
  const ConvGeometry g = make_geometry(x, w.size(0), w.size(1), oh, ow, cout, o);
  if (g.k() == 0) {  // no input channels: the output is the bias
    if (bias.defined()) copy_(out, bias.expand(out.shape()));
    else fill_(out, 0.0);
    return out;
  }
  const Tensor wc = w.contiguous();
  const Tensor bc = bias.defined() ? bias.contiguous() : Tensor();
  visit_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    conv_forward<T>(g, x.data<T>(), wc.data<T>(), bc.defined() ? bc.data<T>() : nullptr,
                    out.data<T>());
  });
  return out;
}

// The kernel of the convolution that maps conv2d's output gradient back to its input:
// flipped in space, input and output channels swapped (per group).
// (KH, KW, Cin/g, Cout) -> (KH, KW, Cout/g, Cin).
Tensor flipped_kernel(const Tensor& w_in, int64_t groups) {
  const Tensor w = w_in.contiguous();
  const int64_t KH = w.size(0), KW = w.size(1), cg = w.size(2), cout = w.size(3);
  const int64_t coutg = cout / groups, cin = cg * groups;
  Tensor f = Tensor::empty(Dims{KH, KW, coutg, cin}, w.dtype());
  visit_float(w.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* src = w.data<T>();
    T* dst = f.data<T>();
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw) {
        const T* s = src + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * cg * cout;
        T* d = dst + (kh * KW + kw) * coutg * cin;
        for (int64_t grp = 0; grp < groups; ++grp)
          for (int64_t j = 0; j < coutg; ++j)
            for (int64_t ci = 0; ci < cg; ++ci)
              d[j * cin + grp * cg + ci] = s[ci * cout + grp * coutg + j];
      }
  });
  return f;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvOptions& o) {
  check_conv_inputs("conv2d", x, w, bias, o, false);
  int64_t oh, ow;
  conv_out_hw("conv2d", x, w, o, oh, ow);
  return record_conv2d(x, w, bias, o, forward_unrecorded(x, w, bias, o, oh, ow));
}

Tensor conv2d_backward_input(const Tensor& gy, const Tensor& w, int64_t in_h, int64_t in_w,
                             const ConvOptions& o) {
  check_conv_backward_input(gy, w, in_h, in_w, o);
  const int64_t cin = w.size(2) * o.groups;
  // With stride 1 the input gradient is itself a convolution of the output gradient,
  // padded by the kernel's reach less the forward padding, with the flipped kernel: it
  // takes the forward's fast paths and needs no scatter. It multiplies the padding's zeros
  // too, so it is used when the output is about as large as the input ('same'-like).
  const bool same_like = 4 * in_h * in_w <= 5 * gy.size(1) * gy.size(2);
  if (o.stride_h == 1 && o.stride_w == 1 && gy.numel() > 0 && same_like) {
    const int64_t eh = o.dilation_h * (w.size(0) - 1) + 1;
    const int64_t ew = o.dilation_w * (w.size(1) - 1) + 1;
    ConvOptions f = o;
    f.pad_top = eh - 1 - o.pad_top;
    f.pad_bottom = in_h + eh - 1 - gy.size(1) - f.pad_top;
    f.pad_left = ew - 1 - o.pad_left;
    f.pad_right = in_w + ew - 1 - gy.size(2) - f.pad_left;
    if (f.pad_top >= 0 && f.pad_bottom >= 0 && f.pad_left >= 0 && f.pad_right >= 0)
      return forward_unrecorded(gy, flipped_kernel(w, o.groups), Tensor(), f, in_h, in_w);
  }
  Tensor gx = Tensor::empty(Dims{gy.size(0), in_h, in_w, cin}, gy.dtype());
  const ConvGeometry g = make_geometry(gx, w.size(0), w.size(1), gy.size(1), gy.size(2),
                                       w.size(3), o);
  if (gx.numel() == 0) return gx;
  if (gy.numel() == 0 || g.k() == 0) {
    fill_(gx, 0.0);
    return gx;
  }
  const Tensor gyc = gy.contiguous(), wc = w.contiguous();
  visit_float(gy.dtype(), [&](auto zero) {
    using T = decltype(zero);
    conv_backward_input<T>(g, gyc.data<T>(), wc.data<T>(), gx.data<T>());
  });
  return gx;
}

Tensor conv2d_backward_weight(const Tensor& x_in, const Tensor& gy, int64_t kernel_h,
                              int64_t kernel_w, const ConvOptions& o) {
  check_conv_backward_weight(x_in, gy, o);
  const Tensor x = x_in.contiguous();  // as in forward_unrecorded
  const int64_t cout = gy.size(3);
  Tensor gw = Tensor::empty(Dims{kernel_h, kernel_w, x.size(3) / o.groups, cout}, x.dtype());
  const ConvGeometry g = make_geometry(x, kernel_h, kernel_w, gy.size(1), gy.size(2), cout, o);
  if (gw.numel() == 0) return gw;
  if (gy.numel() == 0) {
    fill_(gw, 0.0);
    return gw;
  }
  const Tensor gyc = gy.contiguous();
  visit_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    conv_backward_weight<T>(g, x.data<T>(), gyc.data<T>(), gw.data<T>());
  });
  return gw;
}

}  // namespace nncore
