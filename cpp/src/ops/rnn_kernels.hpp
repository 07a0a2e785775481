// The table of recurrent-cell row kernels for one ISA (filled by rnn_kernels_<isa>.cpp from
// rnn_cells_impl.hpp).
//
// A row kernel runs one cell step for one batch row: `u` units, every operand a contiguous
// row. Gate rows hold the k gates side by side in Keras's order (LSTM i, f, c, o; GRU z, r,
// h). Forward kernels turn pre-activations into activated gates in place and produce the
// new state; backward kernels turn the gradient of the new state into the gradients of the
// gate pre-activations. Derivatives are taken from the saved activated values, so the
// forward never keeps pre-activations. The drivers (rnn_simple.cpp, rnn_lstm.cpp,
// rnn_gru.cpp) handle masking, the GEMMs and the threads.
#pragma once

#include <cstdint>

#include "nncore/activations.hpp"

namespace nncore {

template <class T>
struct RnnRowKernels {

  // x = act(x) in place, n elements.
  void (*act)(Activation act, T* x, int64_t n) = nullptr;
  // dx = g * act'(x) from y = act(x).
  void (*act_backward)(Activation act, const T* y, const T* g, T* dx, int64_t n) = nullptr;

  // gates (4u) pre-activations -> i, f, g, o; c = f c_prev + i g; act_c = act(c);
  // h = o act_c.
  void (*lstm_forward)(Activation ra, Activation a, int64_t u, T* gates, const T* c_prev,
                       T* c, T* act_c, T* h) = nullptr;
  // dh: gradient of h; dc: in, gradient of c from later steps; out, gradient of c_prev.
  void (*lstm_backward)(Activation ra, Activation a, int64_t u, const T* gates,
                        const T* c_prev, const T* act_c, const T* dh, T* dc,
                        T* dgates) = nullptr;

  // GRU, reset after the recurrent product. gates (3u) hold x W + biases; rec (3u) is
  // hm @ R; rec_bias (u, may be null) the recurrent bias of the h part. Writes gates = z,
  // r, hh; rh = hm R_h + b_rh; h.
  void (*gru_after_forward)(Activation ra, Activation a, int64_t u, T* gates, const T* rec,
                            const T* rec_bias, const T* hm, T* rh, T* h) = nullptr;
  // dgates_in (3u): gradient of x W_h + b_ih parts; dgates_rec (3u): of the hm R parts;
  // dhm = the direct gradient of hm (z dh).
  void (*gru_after_backward)(Activation ra, Activation a, int64_t u, const T* gates,
                             const T* rh, const T* hm, const T* dh, T* dgates_in,
                             T* dgates_rec, T* dhm) = nullptr;

  // GRU, reset before the recurrent product, in two halves around the second GEMM.
  // z, r in place from their pre-activations; rh = r hm.
  void (*gru_before_zr_forward)(Activation ra, int64_t u, T* gates, const T* hm,
                                T* rh) = nullptr;
  // hh in place from its pre-activation; h = z hm + (1 - z) hh.
  void (*gru_before_h_forward)(Activation a, int64_t u, T* gates, const T* hm,
                               T* h) = nullptr;
  // dz and dhh_pre into dgates (slots 0 and 2); dhm = z dh.
  void (*gru_before_h_backward)(Activation ra, Activation a, int64_t u, const T* gates,
                                const T* hm, const T* dh, T* dgates, T* dhm) = nullptr;
  // drh: gradient of r hm. dr into dgates (slot 1); dhm += r drh.
  void (*gru_before_zr_backward)(Activation ra, int64_t u, const T* gates, const T* hm,
                                 const T* drh, T* dgates, T* dhm) = nullptr;
};

struct RnnKernels {
  RnnRowKernels<float> f32;
  RnnRowKernels<double> f64;
};

// The table for the active ISA (dispatch.hpp), built once.
const RnnKernels& rnn_kernels();

void fill_rnn_kernels_generic(RnnKernels& table);
void fill_rnn_kernels_avx2(RnnKernels& table);
void fill_rnn_kernels_avx512(RnnKernels& table);

}  // namespace nncore
