// Recurrent-cell row kernels (rnn_kernels.hpp), written once and compiled once per ISA.
//
// Included by rnn_kernels_<isa>.cpp inside namespace nncore::rnn_<isa>, after
// elementwise_impl.hpp, reduce_impl.hpp and activation_impl.hpp, whose branch-free k_exp,
// k_tanh and k_sigmoid it uses; like those, it calls no std:: inline templates (they would
// be shared between ISAs). The activation is chosen once per segment, outside the element
// loops, so every loop vectorises. Backward kernels first write the activations'
// derivatives for a tile of units into stack arrays, then combine them in one loop. An ISA
// may supply its own float32 forward passes for the default activations
// (NNCORE_RNN_FAST_GATES, rnn_gates_avx512.hpp).

constexpr int64_t kRnnTile = 64;

template <class T>
void rnn_act(Activation act, T* x, int64_t n) {
  switch (act) {
    case Activation::sigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = k_sigmoid(x[i]);
      break;
    case Activation::hard_sigmoid:
      for (int64_t i = 0; i < n; ++i) x[i] = HardSigmoidF::f(x[i], T(0), T(0));
      break;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) x[i] = k_tanh(x[i]);
      break;
    case Activation::relu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < T(0) ? T(0) : x[i];  // NaN stays NaN
      break;
    default:  // linear (the drivers accept nothing else)
      break;
  }
}

// d = act'(x), from y = act(x).
template <class T>
void rnn_deriv(Activation act, const T* y, T* d, int64_t n) {
  switch (act) {
    case Activation::sigmoid:
      for (int64_t i = 0; i < n; ++i) d[i] = y[i] * (T(1) - y[i]);
      break;
    case Activation::hard_sigmoid:  // slope 1/6 where x is in (-3, 3), i.e. y in (0, 1)
      for (int64_t i = 0; i < n; ++i) d[i] = (y[i] > T(0) && y[i] < T(1)) ? T(1) / T(6) : T(0);
      break;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) d[i] = T(1) - y[i] * y[i];
      break;
    case Activation::relu:
      for (int64_t i = 0; i < n; ++i) d[i] = y[i] > T(0) ? T(1) : T(0);
      break;
    default:
      for (int64_t i = 0; i < n; ++i) d[i] = T(1);
      break;
  }
}

inline int64_t rnn_tile(int64_t u, int64_t j0) { return u - j0 < kRnnTile ? u - j0 : kRnnTile; }

template <class T>
void rnn_act_backward(Activation act, const T* __restrict y, const T* __restrict g,
                      T* __restrict dx, int64_t n) {
  T d[kRnnTile];
  for (int64_t j0 = 0; j0 < n; j0 += kRnnTile) {
    const int64_t m = rnn_tile(n, j0);
    rnn_deriv(act, y + j0, d, m);
    for (int64_t j = 0; j < m; ++j) dx[j0 + j] = g[j0 + j] * d[j];
  }
}

// ---------------------------------------------------------------- LSTM
// Every operand of a row kernel is its own row of its own buffer (the drivers guarantee it),
// hence __restrict: without it the compiler gives up vectorising loops with this many
// pointers. The default pair (sigma = sigmoid, phi = tanh) runs one fused pass; other
// activations take the segment-wise path.

template <class T>
inline T d_sigmoid(T y) { return y * (T(1) - y); }
template <class T>
inline T d_tanh(T y) { return T(1) - y * y; }

inline bool rnn_default_pair(Activation ra, Activation a) {
  return ra == Activation::sigmoid && a == Activation::tanh;
}

template <class T>
void lstm_forward_row(Activation ra, Activation a, int64_t u, T* __restrict gates,
                      const T* __restrict c_prev, T* __restrict c, T* __restrict act_c,
                      T* __restrict h) {
  T* __restrict i = gates;
  T* __restrict f = gates + u;
  T* __restrict g = gates + 2 * u;
  T* __restrict o = gates + 3 * u;
#ifdef NNCORE_RNN_FAST_GATES
  if constexpr (sizeof(T) == 4) {
    if (rnn_default_pair(ra, a)) return lstm_forward_default(u, gates, c_prev, c, act_c, h);
  }
#endif
  if (rnn_default_pair(ra, a)) {
    for (int64_t j = 0; j < u; ++j) {
      const T ij = k_sigmoid(i[j]), fj = k_sigmoid(f[j]), gj = k_tanh(g[j]);
      const T oj = k_sigmoid(o[j]);
      const T cj = fj * c_prev[j] + ij * gj;
      const T acj = k_tanh(cj);
      i[j] = ij;
      f[j] = fj;
      g[j] = gj;
      o[j] = oj;
      c[j] = cj;
      act_c[j] = acj;
      h[j] = oj * acj;
    }
    return;
  }
  rnn_act(ra, gates, 2 * u);  // i, f
  rnn_act(a, g, u);
  rnn_act(ra, o, u);
  for (int64_t j = 0; j < u; ++j) {
    const T cj = f[j] * c_prev[j] + i[j] * g[j];
    c[j] = cj;
    act_c[j] = cj;
  }
  rnn_act(a, act_c, u);
  for (int64_t j = 0; j < u; ++j) h[j] = o[j] * act_c[j];
}

template <class T>
void lstm_backward_row(Activation ra, Activation a, int64_t u, const T* __restrict gates,
                       const T* __restrict c_prev, const T* __restrict act_c,
                       const T* __restrict dh, T* __restrict dc, T* __restrict dgates) {
  const T* __restrict i = gates;
  const T* __restrict f = gates + u;
  const T* __restrict g = gates + 2 * u;
  const T* __restrict o = gates + 3 * u;
  T* __restrict di = dgates;
  T* __restrict df = dgates + u;
  T* __restrict dg = dgates + 2 * u;
  T* __restrict dout = dgates + 3 * u;
  if (rnn_default_pair(ra, a)) {
    for (int64_t j = 0; j < u; ++j) {
      const T dcn = dc[j] + dh[j] * o[j] * d_tanh(act_c[j]);
      di[j] = dcn * g[j] * d_sigmoid(i[j]);
      df[j] = dcn * c_prev[j] * d_sigmoid(f[j]);
      dg[j] = dcn * i[j] * d_tanh(g[j]);
      dout[j] = dh[j] * act_c[j] * d_sigmoid(o[j]);
      dc[j] = dcn * f[j];
    }
    return;
  }
  T si[kRnnTile], sf[kRnnTile], sg[kRnnTile], so[kRnnTile], sac[kRnnTile];
  for (int64_t j0 = 0; j0 < u; j0 += kRnnTile) {
    const int64_t m = rnn_tile(u, j0);
    rnn_deriv(ra, i + j0, si, m);
    rnn_deriv(ra, f + j0, sf, m);
    rnn_deriv(a, g + j0, sg, m);
    rnn_deriv(ra, o + j0, so, m);
    rnn_deriv(a, act_c + j0, sac, m);
    for (int64_t q = 0; q < m; ++q) {
      const int64_t j = j0 + q;
      const T dcn = dc[j] + dh[j] * o[j] * sac[q];
      di[j] = dcn * g[j] * si[q];
      df[j] = dcn * c_prev[j] * sf[q];
      dg[j] = dcn * i[j] * sg[q];
      dout[j] = dh[j] * act_c[j] * so[q];
      dc[j] = dcn * f[j];
    }
  }
}

// ---------------------------------------------------------------- GRU

template <class T>
void gru_after_forward_row(Activation ra, Activation a, int64_t u, T* __restrict gates,
                           const T* __restrict rec, const T* __restrict rec_bias,
                           const T* __restrict hm, T* __restrict rh, T* __restrict h) {
  T* __restrict z = gates;
  T* __restrict r = gates + u;
  T* __restrict hh = gates + 2 * u;
#ifdef NNCORE_RNN_FAST_GATES
  if constexpr (sizeof(T) == 4) {
    if (rnn_default_pair(ra, a))
      return gru_after_forward_default(u, gates, rec, rec_bias, hm, rh, h);
  }
#endif
  for (int64_t j = 0; j < u; ++j) rh[j] = rec[2 * u + j];
  if (rec_bias != nullptr)
    for (int64_t j = 0; j < u; ++j) rh[j] += rec_bias[j];
  if (rnn_default_pair(ra, a)) {
    for (int64_t j = 0; j < u; ++j) {
      const T zj = k_sigmoid(z[j] + rec[j]);
      const T rj = k_sigmoid(r[j] + rec[u + j]);
      const T hj = k_tanh(hh[j] + rj * rh[j]);
      z[j] = zj;
      r[j] = rj;
      hh[j] = hj;
      h[j] = zj * hm[j] + (T(1) - zj) * hj;
    }
    return;
  }
  for (int64_t j = 0; j < 2 * u; ++j) gates[j] += rec[j];
  rnn_act(ra, gates, 2 * u);  // z, r
  for (int64_t j = 0; j < u; ++j) hh[j] += r[j] * rh[j];
  rnn_act(a, hh, u);
  for (int64_t j = 0; j < u; ++j) h[j] = z[j] * hm[j] + (T(1) - z[j]) * hh[j];
}

template <class T>
void gru_after_backward_row(Activation ra, Activation a, int64_t u, const T* __restrict gates,
                            const T* __restrict rh, const T* __restrict hm,
                            const T* __restrict dh, T* __restrict dgates_in,
                            T* __restrict dgates_rec, T* __restrict dhm) {
  const T* __restrict z = gates;
  const T* __restrict r = gates + u;
  const T* __restrict hh = gates + 2 * u;
  if (rnn_default_pair(ra, a)) {
    for (int64_t j = 0; j < u; ++j) {
      const T gz = dh[j] * (hm[j] - hh[j]) * d_sigmoid(z[j]);
      const T gh = dh[j] * (T(1) - z[j]) * d_tanh(hh[j]);
      const T gr = gh * rh[j] * d_sigmoid(r[j]);
      dgates_in[j] = gz;
      dgates_in[u + j] = gr;
      dgates_in[2 * u + j] = gh;
      dgates_rec[j] = gz;
      dgates_rec[u + j] = gr;
      dgates_rec[2 * u + j] = gh * r[j];
      dhm[j] = dh[j] * z[j];
    }
    return;
  }
  T sz[kRnnTile], sr[kRnnTile], sh[kRnnTile];
  for (int64_t j0 = 0; j0 < u; j0 += kRnnTile) {
    const int64_t m = rnn_tile(u, j0);
    rnn_deriv(ra, z + j0, sz, m);
    rnn_deriv(ra, r + j0, sr, m);
    rnn_deriv(a, hh + j0, sh, m);
    for (int64_t q = 0; q < m; ++q) {
      const int64_t j = j0 + q;
      const T gz = dh[j] * (hm[j] - hh[j]) * sz[q];
      const T gh = dh[j] * (T(1) - z[j]) * sh[q];
      const T gr = gh * rh[j] * sr[q];
      dgates_in[j] = gz;
      dgates_in[u + j] = gr;
      dgates_in[2 * u + j] = gh;
      dgates_rec[j] = gz;
      dgates_rec[u + j] = gr;
      dgates_rec[2 * u + j] = gh * r[j];
      dhm[j] = dh[j] * z[j];
    }
  }
}

template <class T>
void gru_before_zr_forward_row(Activation ra, int64_t u, T* __restrict gates,
                               const T* __restrict hm, T* __restrict rh) {
  rnn_act(ra, gates, 2 * u);
  const T* __restrict r = gates + u;
  for (int64_t j = 0; j < u; ++j) rh[j] = r[j] * hm[j];
}

template <class T>
void gru_before_h_forward_row(Activation a, int64_t u, T* __restrict gates,
                              const T* __restrict hm, T* __restrict h) {
  T* __restrict hh = gates + 2 * u;
  rnn_act(a, hh, u);
  const T* __restrict z = gates;
  for (int64_t j = 0; j < u; ++j) h[j] = z[j] * hm[j] + (T(1) - z[j]) * hh[j];
}

template <class T>
void gru_before_h_backward_row(Activation ra, Activation a, int64_t u,
                               const T* __restrict gates, const T* __restrict hm,
                               const T* __restrict dh, T* __restrict dgates,
                               T* __restrict dhm) {
  const T* __restrict z = gates;
  const T* __restrict hh = gates + 2 * u;
  T sz[kRnnTile], sh[kRnnTile];
  for (int64_t j0 = 0; j0 < u; j0 += kRnnTile) {
    const int64_t m = rnn_tile(u, j0);
    rnn_deriv(ra, z + j0, sz, m);
    rnn_deriv(a, hh + j0, sh, m);
    for (int64_t q = 0; q < m; ++q) {
      const int64_t j = j0 + q;
      dgates[j] = dh[j] * (hm[j] - hh[j]) * sz[q];
      dgates[2 * u + j] = dh[j] * (T(1) - z[j]) * sh[q];
      dhm[j] = dh[j] * z[j];
    }
  }
}

template <class T>
void gru_before_zr_backward_row(Activation ra, int64_t u, const T* __restrict gates,
                                const T* __restrict hm, const T* __restrict drh,
                                T* __restrict dgates, T* __restrict dhm) {
  const T* __restrict r = gates + u;
  T sr[kRnnTile];
  for (int64_t j0 = 0; j0 < u; j0 += kRnnTile) {
    const int64_t m = rnn_tile(u, j0);
    rnn_deriv(ra, r + j0, sr, m);
    for (int64_t q = 0; q < m; ++q) {
      const int64_t j = j0 + q;
      dgates[u + j] = drh[j] * hm[j] * sr[q];
      dhm[j] += drh[j] * r[j];
    }
  }
}

// ---------------------------------------------------------------- table

template <class T>
void fill_rnn_rows(RnnRowKernels<T>& t) {
  t.act = &rnn_act<T>;
  t.act_backward = &rnn_act_backward<T>;
  t.lstm_forward = &lstm_forward_row<T>;
  t.lstm_backward = &lstm_backward_row<T>;
  t.gru_after_forward = &gru_after_forward_row<T>;
  t.gru_after_backward = &gru_after_backward_row<T>;
  t.gru_before_zr_forward = &gru_before_zr_forward_row<T>;
  t.gru_before_h_forward = &gru_before_h_forward_row<T>;
  t.gru_before_h_backward = &gru_before_h_backward_row<T>;
  t.gru_before_zr_backward = &gru_before_zr_backward_row<T>;
}

inline void fill_rnn_all(RnnKernels& t) {
  fill_rnn_rows(t.f32);
  fill_rnn_rows(t.f64);
}
