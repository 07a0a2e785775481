// Recurrent networks: SimpleRNN, LSTM and GRU over whole sequences, with backpropagation
// through time (BPTT).
//
// Each op runs a whole sequence in one call and is recorded as one autograd node with
// several outputs, so Python is touched once per sequence, never per time step.
//
//   x                 (batch, time, features)       channels last, like Keras
//   kernel            (features, k * units)         the k gates side by side (Keras layout)
//   recurrent_kernel  (units, k * units)
//   bias              (k * units,)                  GRU with reset_after: (2, 3 * units),
//                                                   row 0 the input bias, row 1 the recurrent
//   h0, c0            (batch, units)                undefined tensor = zeros
//   mask              (batch, time) bool            undefined = every step counts
//   recurrent_mask    (batch, units)                multiplies h before the recurrent product
//                                                   (Keras's recurrent dropout); undefined = 1
//
// k and the cell equations (sigma = recurrent_activation, phi = activation; hm = h_prev *
// recurrent_mask):
//   SimpleRNN k=1:  h = phi(x W + hm R + b)
//   LSTM k=4 (i, f, c, o -- PyTorch's i, f, g, o order):
//     i, f, o = sigma(.), g = phi(.),  c = f c_prev + i g,  h = o phi(c)
//   GRU k=3 (z, r, h -- PyTorch orders r, z, n):
//     z, r = sigma(x W + hm R + b),  h = z hm + (1 - z) hh, with
//     reset_after:  hh = phi(x W_h + b_ih + r (hm R_h + b_rh))     (PyTorch's and cuDNN's)
//     otherwise:    hh = phi(x W_h + (r hm) R_h + b_h)
//
// Outputs: output (batch, time, units), the h of every step in processing order (reversed
// input order with go_backwards, as Keras returns it), and the final states h_n, c_n. A
// masked step (mask false) keeps the previous state, and its output repeats the previous
// step's output (zeros before the first unmasked step), as Keras does.
//
// How it runs: the input projection of all time steps is one GEMM, (time*batch, features+1)
// x (features+1, k*units), the bias folded in as a ones column; each step adds h @ R for all
// gates in one GEMM (R packed once per sequence) and applies the gate nonlinearities in one
// fused pass per row (SIMD per ISA). BPTT mirrors it: per step one fused pass for the gate
// derivatives and one GEMM for the gradient flowing to h_prev; the weight and bias gradients
// [x, 1, h_prev]^T @ dGates are one GEMM per block of steps (about 256 rows; GRU: one over
// all steps after the loop), taken while the block's dGates are still in cache. Batch rows
// never interact, so each thread runs the time loop on its own rows (no synchronisation per
// step; the threads meet once per block), and results are bitwise identical for any thread
// count.
//
//   RnnOutputs out = lstm(x, Tensor(), Tensor(), kernel, recurrent, bias, Tensor(),
//                         Tensor(), RnnOptions{});
//   Tensor last = out.h_n;
#pragma once

#include <cstdint>

#include "nncore/activations.hpp"
#include "nncore/tensor.hpp"

namespace nncore {

enum class RnnCell : uint8_t { simple, lstm, gru };

struct RnnOptions {
  // phi: linear, sigmoid, hard_sigmoid, tanh or relu (others raise std::invalid_argument).
  Activation activation = Activation::tanh;
  // sigma (LSTM and GRU gates): the same choices.
  Activation recurrent_activation = Activation::sigmoid;
  bool go_backwards = false;  // process the sequence from its last step to its first
  bool reset_after = true;    // GRU only: where the reset gate applies (see above)
  // false: the output sequence is not produced (RnnOutputs::output stays undefined), for
  // callers that keep only the final states: writing it costs a row copy per step and a
  // (batch, time, units) buffer.
  bool return_sequences = true;
};

struct RnnOutputs {
  Tensor output;  // (batch, time, units), or undefined without return_sequences
  Tensor h_n;     // (batch, units)
  Tensor c_n;     // (batch, units), LSTM only (undefined otherwise)
};

// Differentiable in x, h0, c0, kernel, recurrent_kernel and bias; the masks are constants.
RnnOutputs simple_rnn(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                      const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& mask,
                      const Tensor& recurrent_mask, const RnnOptions& options);
RnnOutputs lstm(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& mask,
                const Tensor& recurrent_mask, const RnnOptions& options);
RnnOutputs gru(const Tensor& x, const Tensor& h0, const Tensor& kernel,
               const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& mask,
               const Tensor& recurrent_mask, const RnnOptions& options);

}  // namespace nncore
