// LSTM: gates i, f, c, o (Keras's order), forward and BPTT (see rnn.hpp).
//
// Per step: one GEMM adds hm @ R for all four gates onto the input projection, then one
// fused pass per row applies the gate nonlinearities and updates c and h. The tape keeps
// the activated gates, c_prev and phi(c) of every step, from which the backward takes all
// derivatives without recomputing a nonlinearity.
#include <cstring>

#include "autograd/record.hpp"
#include "nncore/ops.hpp"
#include "ops/rnn_common.hpp"

namespace nncore {
namespace {

template <class T>
void forward(const RnnArgs& a, RnnOutputs& out, RnnTape& tape) {
  const RnnRowKernels<T>& k = rnn_row_kernels<T>();
  const int64_t u = a.units, time = a.time, gu = 4 * u;
  const Dims seq{time, a.batch, u};
  tape.gates = Tensor::empty(Dims{time, a.batch, gu}, a.dtype);
  tape.xh = rnn_new_xh(a);
  tape.aux0 = Tensor::empty(seq, a.dtype);
  tape.aux1 = Tensor::empty(seq, a.dtype);
  out.output = rnn_new_output(a);
  out.h_n = Tensor::empty(Dims{a.batch, u}, a.dtype);
  out.c_n = Tensor::empty(Dims{a.batch, u}, a.dtype);
  T* g = tape.gates.data<T>();
  T* c_prev = tape.aux0.data<T>();
  T* act_c = tape.aux1.data<T>();
  T* h = out.h_n.data<T>();
  T* c = out.c_n.data<T>();
  if (a.c0.defined()) std::memcpy(c, a.c0.data<T>(), a.batch * u * sizeof(T));
  else std::memset(c, 0, a.batch * u * sizeof(T));
  T* xh = tape.xh.data<T>();
  rnn_input_projection<T>(a, a.bias.defined() ? a.bias.data<T>() : nullptr, xh, g);
  const RnnForwardLoop<T> loop(a, h, xh, out.output);
  const Activation ra = a.options.recurrent_activation, act = a.options.activation;
  const PackedB<T> rp = pack_recurrent<T>(a, 0, gu);
  rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
    loop.start(b0, b1);
    for (int64_t s = 0; s < time; ++s) {
      const int64_t t = loop.time_at(s);
      loop.recurrent_product(t, b0, b1, rp, T(1), g + t * a.batch * gu, gu);
      loop.step_rows(s, b0, b1, [&](int64_t b, int64_t tb) {
        const int64_t r = a.row(b, tb);
        std::memcpy(c_prev + r * u, c + b * u, u * sizeof(T));
        k.lstm_forward(ra, act, u, g + r * gu, c_prev + r * u, c + b * u, act_c + r * u,
                       h + b * u);
      });
    }
  });
}

template <class T>
RnnGrads backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                  const Tensor& d_h, const Tensor& d_c, const RnnWanted& wanted) {
  const RnnRowKernels<T>& k = rnn_row_kernels<T>();
  const int64_t u = a.units, gu = 4 * u;
  Tensor dc_t = Tensor::empty(Dims{a.batch, u}, a.dtype);
  T* dc = dc_t.data<T>();
  if (d_c.defined()) std::memcpy(dc, d_c.contiguous().data<T>(), a.batch * u * sizeof(T));
  else std::memset(dc, 0, a.batch * u * sizeof(T));
  const T* g = tape.gates.data<T>();
  const T* c_prev = tape.aux0.data<T>();
  const T* act_c = tape.aux1.data<T>();
  const T* xh = tape.xh.data<T>();
  const int64_t xw = RnnXh(a.features, u).width;
  const RnnBackwardLoop<T> loop(a, d_output, d_h);
  const Activation ra = a.options.recurrent_activation, act = a.options.activation;
  RnnGateGrads<T> dg(a, tape.xh, wanted);
  rnn_bptt(a, loop, dg, wanted.h0, [&](int64_t s, int64_t b0, int64_t b1, T* dg_t) {
    const bool ahead = s > 0;
    const int64_t next_t = ahead ? loop.time_at(s - 1) : 0;
    loop.step_rows(s, b0, b1, [&](int64_t b, int64_t t) {
      const int64_t r = a.row(b, t);
      if (ahead) {  // what the step before reads: its row pass and weight gradients
        const int64_t rn = a.row(b, next_t);
        rnn_prefetch(g + rn * gu, gu * sizeof(T));
        rnn_prefetch(c_prev + rn * u, u * sizeof(T));
        rnn_prefetch(act_c + rn * u, u * sizeof(T));
        rnn_prefetch(xh + rn * xw, xw * sizeof(T));
      }
      k.lstm_backward(ra, act, u, g + r * gu, c_prev + r * u, act_c + r * u,
                      loop.dhn + b * u, dc + b * u, dg_t + b * gu);
    });
  });
  RnnGrads grads = dg.finish();
  if (wanted.h0) grads.h0 = loop.dh_t;
  if (wanted.c0) grads.c0 = dc_t;
  return grads;
}

}  // namespace

RnnOutputs lstm_forward(const RnnArgs& a, RnnTape& tape) {
  RnnOutputs out;
  if (a.dtype == DType::float32) forward<float>(a, out, tape);
  else forward<double>(a, out, tape);
  return out;
}

RnnGrads lstm_backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                       const Tensor& d_h, const Tensor& d_c, const RnnWanted& wanted) {
  if (a.dtype == DType::float32) return backward<float>(a, tape, d_output, d_h, d_c, wanted);
  return backward<double>(a, tape, d_output, d_h, d_c, wanted);
}

RnnOutputs lstm(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& mask,
                const Tensor& recurrent_mask, const RnnOptions& options) {
  RnnArgs a = check_rnn_args(RnnCell::lstm, x, h0, c0, kernel, recurrent_kernel, bias, mask,
                             recurrent_mask, options);
  RnnTape tape;
  RnnOutputs out = lstm_forward(a, tape);
  record_rnn(a, std::move(tape), x, h0, c0, kernel, recurrent_kernel, bias, out);
  return out;
}

}  // namespace nncore
