// The float32 gate math of the recurrent cells' default activations (sigmoid and tanh) in
// AVX-512 intrinsics, for rnn_kernels_avx512.cpp.
//
// Why: the portable kernels compute each sigmoid and tanh with a division, and a 512-bit
// vdivps issues only every 10 cycles or so on Intel cores: an LSTM step's five divisions
// per element then cost as much as the exps around them. Here each reciprocal is rcp14
// refined by one Newton step (relative error about 2^-27, i.e. within an ulp or two of the
// division), which issues every cycle or two. Results therefore differ from the portable
// kernels in the last bit now and then; they agree with them and with PyTorch to float32
// precision (tests/test_rnn.py, tests/isa_check.py).
//
// Included inside namespace nncore::rnn_avx512 (after <immintrin.h>, outside it) before
// rnn_cells_impl.hpp, which calls lstm_forward_default / gru_after_forward_default when
// NNCORE_RNN_FAST_GATES is defined.
#pragma once

#include <immintrin.h>

#define NNCORE_RNN_FAST_GATES 1

// e^x, x clamped to [-87, 88] (the gates never need more: sigmoid and tanh are 0 or +-1
// to float precision well inside that range; from -87 up, e^x is a normal float, so no
// subnormal reaches the arithmetic after it): x = n ln2 + r, the same Cephes polynomial as
// k_exp, then vscalefps multiplies by 2^n in one instruction. NaN propagates: vminps and
// vmaxps return their second operand when either is NaN, and x is passed second.
inline __m512 v_exp(__m512 x) {
  const __m512 xc = _mm512_max_ps(_mm512_set1_ps(-87.0f),
                                  _mm512_min_ps(_mm512_set1_ps(88.0f), x));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r),
                                 _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(y, n);
}

// 1 / d for d >= 1 (every denominator here): rcp14, one Newton step.
inline __m512 v_recip(__m512 d) {
  const __m512 r = _mm512_rcp14_ps(d);
  return _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
}

inline __m512 v_sigmoid(__m512 x) {
  const __m512 e = v_exp(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return v_recip(_mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

// tanh as k_tanh: an odd polynomial below |x| = 0.625, where 1 - 2 / (e^2|x| + 1) would
// lose the low bits, that formula (sign restored) above.
inline __m512 v_tanh(__m512 x) {
  const __m512 sign = _mm512_set1_ps(-0.0f);
  const __m512 a = _mm512_andnot_ps(sign, x);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(-5.70498872745e-3f);
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954e-2f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531e-2f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036e-1f));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422e-1f));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
  const __m512 e = v_exp(_mm512_add_ps(a, a));
  const __m512 big = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f),
                                      v_recip(_mm512_add_ps(e, _mm512_set1_ps(1.0f))),
                                      _mm512_set1_ps(1.0f));
  const __m512 signed_big = _mm512_or_ps(big, _mm512_and_ps(x, sign));
  const __mmask16 is_small = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
  // NaN: `a < 0.625` is false and big is NaN already.
  return _mm512_mask_blend_ps(is_small, signed_big, small);
}

// The lanes of a row tail: the first n of 16 (n in [1, 16]).
inline __mmask16 v_tail(int64_t n) {
  return static_cast<__mmask16>((n >= 16 ? 0xffffu : ((1u << n) - 1u)));
}

// lstm_forward_row's default pair (sigmoid, tanh) on 16 units (the lanes of m).
inline void lstm_forward_default_16(__mmask16 m, float* gi, float* gf, float* gg, float* go,
                                    const float* c_prev, float* c, float* act_c, float* h) {
  const __m512 i = v_sigmoid(_mm512_maskz_loadu_ps(m, gi));
  const __m512 f = v_sigmoid(_mm512_maskz_loadu_ps(m, gf));
  const __m512 g = v_tanh(_mm512_maskz_loadu_ps(m, gg));
  const __m512 o = v_sigmoid(_mm512_maskz_loadu_ps(m, go));
  const __m512 cn = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(m, c_prev), _mm512_mul_ps(i, g));
  const __m512 ac = v_tanh(cn);
  _mm512_mask_storeu_ps(gi, m, i);
  _mm512_mask_storeu_ps(gf, m, f);
  _mm512_mask_storeu_ps(gg, m, g);
  _mm512_mask_storeu_ps(go, m, o);
  _mm512_mask_storeu_ps(c, m, cn);
  _mm512_mask_storeu_ps(act_c, m, ac);
  _mm512_mask_storeu_ps(h, m, _mm512_mul_ps(o, ac));
}

// lstm_forward_row's default pair, 64 units at a time, then 16.
//
// Each unit's math is one long dependent chain (a sigmoid or tanh is some 25 dependent
// instructions, and tanh(c) waits for all four gates), which leaves the out-of-order window
// little independent work when 16 units go through at a time. Four vectors go through each
// stage together, so four independent chains are in flight: a row pass of 128 units took
// 15 % less time so (measured in isolation, together with the vscalefps e^x below).
inline void lstm_forward_default(int64_t u, float* gates, const float* c_prev, float* c,
                                 float* act_c, float* h) {
  constexpr int kV = 4;
  float* gi = gates;
  float* gf = gates + u;
  float* gg = gates + 2 * u;
  float* go = gates + 3 * u;
  int64_t j = 0;
  for (; j + 16 * kV <= u; j += 16 * kV) {
    __m512 cn[kV], o[kV];
#pragma GCC unroll 4
    for (int q = 0; q < kV; ++q) {
      const int64_t at = j + 16 * q;
      const __m512 i = v_sigmoid(_mm512_loadu_ps(gi + at));
      const __m512 g = v_tanh(_mm512_loadu_ps(gg + at));
      _mm512_storeu_ps(gi + at, i);
      _mm512_storeu_ps(gg + at, g);
      cn[q] = _mm512_mul_ps(i, g);
    }
#pragma GCC unroll 4
    for (int q = 0; q < kV; ++q) {
      const int64_t at = j + 16 * q;
      const __m512 f = v_sigmoid(_mm512_loadu_ps(gf + at));
      _mm512_storeu_ps(gf + at, f);
      cn[q] = _mm512_fmadd_ps(f, _mm512_loadu_ps(c_prev + at), cn[q]);
      _mm512_storeu_ps(c + at, cn[q]);
      o[q] = v_sigmoid(_mm512_loadu_ps(go + at));
      _mm512_storeu_ps(go + at, o[q]);
    }
#pragma GCC unroll 4
    for (int q = 0; q < kV; ++q) {
      const int64_t at = j + 16 * q;
      const __m512 ac = v_tanh(cn[q]);
      _mm512_storeu_ps(act_c + at, ac);
      _mm512_storeu_ps(h + at, _mm512_mul_ps(o[q], ac));
    }
  }
  for (; j < u; j += 16)
    lstm_forward_default_16(v_tail(u - j), gi + j, gf + j, gg + j, go + j, c_prev + j, c + j,
                            act_c + j, h + j);
}

// gru_after_forward_row's default pair, 16 units at a time (rec_bias may be null).
inline void gru_after_forward_default(int64_t u, float* gates, const float* rec,
                                      const float* rec_bias, const float* hm, float* rh,
                                      float* h) {
  float* gz = gates;
  float* gr = gates + u;
  float* gh = gates + 2 * u;
  for (int64_t j = 0; j < u; j += 16) {
    const __mmask16 m = v_tail(u - j);
    __m512 rhj = _mm512_maskz_loadu_ps(m, rec + 2 * u + j);
    if (rec_bias != nullptr) rhj = _mm512_add_ps(rhj, _mm512_maskz_loadu_ps(m, rec_bias + j));
    const __m512 z = v_sigmoid(_mm512_add_ps(_mm512_maskz_loadu_ps(m, gz + j),
                                             _mm512_maskz_loadu_ps(m, rec + j)));
    const __m512 r = v_sigmoid(_mm512_add_ps(_mm512_maskz_loadu_ps(m, gr + j),
                                             _mm512_maskz_loadu_ps(m, rec + u + j)));
    const __m512 hh = v_tanh(_mm512_fmadd_ps(r, rhj, _mm512_maskz_loadu_ps(m, gh + j)));
    const __m512 hmj = _mm512_maskz_loadu_ps(m, hm + j);
    // z hm + (1 - z) hh = hh + z (hm - hh)
    const __m512 hn = _mm512_fmadd_ps(z, _mm512_sub_ps(hmj, hh), hh);
    _mm512_mask_storeu_ps(rh + j, m, rhj);
    _mm512_mask_storeu_ps(gz + j, m, z);
    _mm512_mask_storeu_ps(gr + j, m, r);
    _mm512_mask_storeu_ps(gh + j, m, hh);
    _mm512_mask_storeu_ps(h + j, m, hn);
  }
}
