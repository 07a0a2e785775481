// Direct convolution kernels (see conv_direct_kernels.hpp), written once with GCC/Clang
// vector extensions and compiled per ISA: the including translation unit defines
// NNC_VEC_BYTES (widest vector) and NNC_VEC_REGS (vector registers), and includes this
// file inside its own namespace. No include guard: one copy per ISA namespace.

template <class T, int B>
struct DirectVec {
  typedef T type __attribute__((vector_size(B)));
};

// Register blocking for a lane class of CB bytes: NV vectors of VB bytes per pixel (or
// tap); the registers left after the weights and a broadcast bound the pixels per tile.
template <class T, int CB>
struct DirectShape {
  static constexpr int VB = CB < NNC_VEC_BYTES ? CB : NNC_VEC_BYTES;
  static constexpr int VW = VB / static_cast<int>(sizeof(T));
  static constexpr int NV = CB / VB;
  static constexpr int kBudget = (NNC_VEC_REGS - NV - 2) / NV;
  static constexpr int kMaxTile = kBudget < 1 ? 1 : kBudget;
};

template <class V, class T>
inline V load_vec(const T* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof(V));
  return v;
}

template <class V, class T>
inline void store_vec(T* p, const V& v) {
  __builtin_memcpy(p, &v, sizeof(V));
}

// PT: pixels per tile as compiled (capped by the budget); SW: the stride when known at
// compile time (0: read it from the arguments).
template <class T, int CB, int PT, int SW>
void direct_forward(const DirectConvArgs<T>& a, int64_t q0, int64_t q1) {
  using S = DirectShape<T, CB>;
  using V = typename DirectVec<T, S::VB>::type;
  constexpr int VW = S::VW, NV = S::NV, P = PT < S::kMaxTile ? PT : S::kMaxTile;
  const int64_t sw = SW > 0 ? SW : a.sw;
  const int64_t plane = a.hp * a.wp, lanes = a.lanes, cout = a.cout;
  V bias[NV];
  #pragma GCC unroll 32
  for (int j = 0; j < NV; ++j) bias[j] = load_vec<V>(a.bias + j * VW);
  // (n, oh) of row q, advanced by counting: a division per row costs more than a short
  // row's work.
  int64_t n = q0 / a.oh, oh = q0 % a.oh;
  for (int64_t q = q0; q < q1; ++q, oh = oh + 1 == a.oh ? (++n, 0) : oh + 1) {
    const T* xq = a.x + n * a.c * plane + oh * a.sh * a.wp;
    T* oq = a.out + q * a.ow * cout;
    for (int64_t ow0 = 0; ow0 < a.ow; ow0 += P) {
      V acc[P][NV];
      #pragma GCC unroll 32
      for (int p = 0; p < P; ++p)
        #pragma GCC unroll 32
        for (int j = 0; j < NV; ++j) acc[p][j] = bias[j];
      const T* wt = a.w;
      for (int64_t ci = 0; ci < a.c; ++ci) {
        const T* xc = xq + ci * plane + ow0 * sw;
        for (int64_t kh = 0; kh < a.kh; ++kh) {
          const T* xr = xc + kh * a.dh * a.wp;
          for (int64_t kw = 0; kw < a.kw; ++kw, wt += lanes) {
            const T* xk = xr + kw * a.dw;
            V wv[NV];
            #pragma GCC unroll 32
            for (int j = 0; j < NV; ++j) wv[j] = load_vec<V>(wt + j * VW);
            #pragma GCC unroll 32
            for (int p = 0; p < P; ++p) {
              const T xv = xk[p * sw];
              #pragma GCC unroll 32
              for (int j = 0; j < NV; ++j) acc[p][j] += xv * wv[j];
            }
          }
        }
      }
      // Pixels are contiguous in the output: a full-width store of pixel p spills its
      // padding lanes into the pixels after it, which are stored later. Pixels whose
      // spill would pass the tile's end are stored lane by lane.
      const int64_t np = a.ow - ow0 < P ? a.ow - ow0 : P;
      T* o = oq + ow0 * cout;
      for (int64_t p = 0; p < np; ++p) {
        if (p * cout + lanes <= np * cout) {
          #pragma GCC unroll 32
          for (int j = 0; j < NV; ++j) store_vec(o + p * cout + j * VW, acc[p][j]);
        } else {
          alignas(64) T tmp[NV * VW];
          #pragma GCC unroll 32
          for (int j = 0; j < NV; ++j) store_vec(tmp + j * VW, acc[p][j]);
          for (int64_t c = 0; c < cout; ++c) o[p * cout + c] = tmp[c];
        }
      }
    }
  }
}

// The output gradient of rows [q0, q1) with padded lanes, so a pixel is NV vector loads.
// LANES (the padded width, a constant of the kernel shape) fixes the trip count, so a row
// is a few whole-vector selects rather than a loop over a run-time channel count; it reads
// LANES elements from the row's start (into the next row: selected away), which stays
// inside the block for all rows but the last few, copied element by element.
template <class T, int LANES>
std::unique_ptr<T[]> padded_gradient(const DirectConvArgs<T>& a, int64_t q0, int64_t q1) {
  const int64_t rows = (q1 - q0) * a.ow, cout = a.cout;
  std::unique_ptr<T[]> g(new T[static_cast<std::size_t>(rows * LANES)]);
  const T* src = a.gy + q0 * a.ow * cout;
  const int64_t total = rows * cout;
  const int64_t reach = total < LANES ? 0 : (total - LANES) / cout + 1;
  const int64_t fast = reach < rows ? reach : rows;
  for (int64_t r = 0; r < fast; ++r) {
    const T* s = src + r * cout;
    T* d = g.get() + r * LANES;
    for (int c = 0; c < LANES; ++c) d[c] = c < cout ? s[c] : T(0);
  }
  for (int64_t r = fast; r < rows; ++r)
    for (int64_t c = 0; c < LANES; ++c) g[r * LANES + c] = c < cout ? src[r * cout + c] : T(0);
  return g;
}

// KW > 0: the kernel width, unrolled (the KW taps of a kernel row stay in registers).
template <class T, int CB, int KW>
void direct_weight_grad(const DirectConvArgs<T>& a, int64_t q0, int64_t q1, T* part) {
  using S = DirectShape<T, CB>;
  using V = typename DirectVec<T, S::VB>::type;
  constexpr int VW = S::VW, NV = S::NV;
  const int64_t plane = a.hp * a.wp, lanes = a.lanes;
  const std::unique_ptr<T[]> g = padded_gradient<T, CB / int(sizeof(T))>(a, q0, q1);
  for (int64_t ci = 0; ci < a.c; ++ci)
    for (int64_t kh = 0; kh < a.kh; ++kh) {
      T* prow = part + (ci * a.kh + kh) * KW * lanes;
      V acc[KW][NV];
      #pragma GCC unroll 32
      for (int t = 0; t < KW; ++t)
        #pragma GCC unroll 32
        for (int j = 0; j < NV; ++j) acc[t][j] = load_vec<V>(prow + t * lanes + j * VW);
      int64_t n = q0 / a.oh, oh = q0 % a.oh;
      for (int64_t q = q0; q < q1; ++q, oh = oh + 1 == a.oh ? (++n, 0) : oh + 1) {
        const T* xr = a.x + (n * a.c + ci) * plane + (oh * a.sh + kh * a.dh) * a.wp;
        const T* gq = g.get() + (q - q0) * a.ow * lanes;
        for (int64_t ow = 0; ow < a.ow; ++ow) {
          const T* xp = xr + ow * a.sw;
          V gv[NV];
          #pragma GCC unroll 32
          for (int j = 0; j < NV; ++j) gv[j] = load_vec<V>(gq + ow * lanes + j * VW);
          #pragma GCC unroll 32
          for (int t = 0; t < KW; ++t) {
            const T xv = xp[t * a.dw];
            #pragma GCC unroll 32
            for (int j = 0; j < NV; ++j) acc[t][j] += xv * gv[j];
          }
        }
      }
      #pragma GCC unroll 32
      for (int t = 0; t < KW; ++t)
        #pragma GCC unroll 32
        for (int j = 0; j < NV; ++j) store_vec(prow + t * lanes + j * VW, acc[t][j]);
    }
}

// Any kernel width: one tap at a time, accumulating in memory (the slow fallback).
template <class T, int CB>
void direct_weight_grad_any(const DirectConvArgs<T>& a, int64_t q0, int64_t q1, T* part) {
  using S = DirectShape<T, CB>;
  using V = typename DirectVec<T, S::VB>::type;
  constexpr int VW = S::VW, NV = S::NV;
  const int64_t plane = a.hp * a.wp, lanes = a.lanes;
  const std::unique_ptr<T[]> g = padded_gradient<T, CB / int(sizeof(T))>(a, q0, q1);
  for (int64_t ci = 0; ci < a.c; ++ci)
    for (int64_t kh = 0; kh < a.kh; ++kh)
      for (int64_t kw = 0; kw < a.kw; ++kw) {
        T* prow = part + ((ci * a.kh + kh) * a.kw + kw) * lanes;
        V acc[NV];
        #pragma GCC unroll 32
        for (int j = 0; j < NV; ++j) acc[j] = load_vec<V>(prow + j * VW);
        for (int64_t q = q0; q < q1; ++q) {
          const int64_t n = q / a.oh, oh = q % a.oh;
          const T* xr = a.x + (n * a.c + ci) * plane + (oh * a.sh + kh * a.dh) * a.wp +
                        kw * a.dw;
          const T* gq = g.get() + (q - q0) * a.ow * lanes;
          for (int64_t ow = 0; ow < a.ow; ++ow) {
            const T xv = xr[ow * a.sw];
            #pragma GCC unroll 32
            for (int j = 0; j < NV; ++j) acc[j] += xv * load_vec<V>(gq + ow * lanes + j * VW);
          }
        }
        #pragma GCC unroll 32
        for (int j = 0; j < NV; ++j) store_vec(prow + j * VW, acc[j]);
      }
}

template <class T, int CB, int I>
void fill_direct_tile(DirectConvFns<T>& f, int cls) {
  f.forward[cls][I][0] = direct_forward<T, CB, kDirectTiles[I], 0>;
  f.forward[cls][I][1] = direct_forward<T, CB, kDirectTiles[I], 1>;
}

template <class T, int CB>
void fill_direct_class(DirectConvFns<T>& f, int cls) {
  fill_direct_tile<T, CB, 0>(f, cls);
  fill_direct_tile<T, CB, 1>(f, cls);
  fill_direct_tile<T, CB, 2>(f, cls);
  fill_direct_tile<T, CB, 3>(f, cls);
  f.weight_grad[cls][0] = direct_weight_grad_any<T, CB>;
  f.weight_grad[cls][1] = direct_weight_grad<T, CB, 1>;
  f.weight_grad[cls][2] = direct_weight_grad<T, CB, 2>;
  f.weight_grad[cls][3] = direct_weight_grad<T, CB, 3>;
  f.weight_grad[cls][4] = direct_weight_grad<T, CB, 4>;
  f.weight_grad[cls][5] = direct_weight_grad<T, CB, 5>;
  f.weight_grad[cls][6] = direct_weight_grad<T, CB, 6>;
  f.weight_grad[cls][7] = direct_weight_grad<T, CB, 7>;
  f.max_tile[cls] = DirectShape<T, CB>::kMaxTile;
}

template <class T>
void fill_direct_fns(DirectConvFns<T>& f) {
  fill_direct_class<T, 32>(f, 0);
  fill_direct_class<T, 64>(f, 1);
  fill_direct_class<T, 128>(f, 2);
}

inline void fill_conv_direct_all(ConvDirectKernels& table) {
  fill_direct_fns(table.f32);
  fill_direct_fns(table.f64);
}
