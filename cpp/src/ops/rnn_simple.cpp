// SimpleRNN (Elman network): h = phi(x W + hm R + b), forward and BPTT (see rnn.hpp).
#include <cstring>

#include "autograd/record.hpp"
#include "nncore/ops.hpp"
#include "ops/rnn_common.hpp"

namespace nncore {
namespace {

template <class T>
void forward(const RnnArgs& a, RnnOutputs& out, RnnTape& tape) {
  const RnnRowKernels<T>& k = rnn_row_kernels<T>();
  const int64_t u = a.units, time = a.time;
  tape.gates = Tensor::empty(Dims{time, a.batch, u}, a.dtype);
  tape.xh = rnn_new_xh(a);
  out.output = rnn_new_output(a);
  out.h_n = Tensor::empty(Dims{a.batch, u}, a.dtype);
  T* g = tape.gates.data<T>();
  T* h = out.h_n.data<T>();
  T* xh = tape.xh.data<T>();
  rnn_input_projection<T>(a, a.bias.defined() ? a.bias.data<T>() : nullptr, xh, g);
  const RnnForwardLoop<T> loop(a, h, xh, out.output);
  const Activation act = a.options.activation;
  const PackedB<T> r = pack_recurrent<T>(a, 0, u);
  rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
    loop.start(b0, b1);
    for (int64_t s = 0; s < time; ++s) {
      const int64_t t = loop.time_at(s);
      loop.recurrent_product(t, b0, b1, r, T(1), g + t * a.batch * u, u);
      loop.step_rows(s, b0, b1, [&](int64_t b, int64_t tb) {
        T* row = g + a.row(b, tb) * u;
        k.act(act, row, u);
        std::memcpy(h + b * u, row, u * sizeof(T));
      });
    }
  });
}

template <class T>
RnnGrads backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                  const Tensor& d_h, const RnnWanted& wanted) {
  const RnnRowKernels<T>& k = rnn_row_kernels<T>();
  const int64_t u = a.units;
  const T* g = tape.gates.data<T>();
  const RnnBackwardLoop<T> loop(a, d_output, d_h);
  const Activation act = a.options.activation;
  RnnGateGrads<T> dg(a, tape.xh, wanted);
  rnn_bptt(a, loop, dg, wanted.h0, [&](int64_t s, int64_t b0, int64_t b1, T* dg_t) {
    loop.step_rows(s, b0, b1, [&](int64_t b, int64_t t) {
      k.act_backward(act, g + a.row(b, t) * u, loop.dhn + b * u, dg_t + b * u, u);
    });
  });
  RnnGrads grads = dg.finish();
  if (wanted.h0) grads.h0 = loop.dh_t;
  return grads;
}

}  // namespace

RnnOutputs simple_rnn_forward(const RnnArgs& a, RnnTape& tape) {
  RnnOutputs out;
  if (a.dtype == DType::float32) forward<float>(a, out, tape);
  else forward<double>(a, out, tape);
  return out;
}

RnnGrads simple_rnn_backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                             const Tensor& d_h, const RnnWanted& wanted) {
  if (a.dtype == DType::float32) return backward<float>(a, tape, d_output, d_h, wanted);
  return backward<double>(a, tape, d_output, d_h, wanted);
}

RnnOutputs simple_rnn(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                      const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& mask,
                      const Tensor& recurrent_mask, const RnnOptions& options) {
  RnnArgs a = check_rnn_args(RnnCell::simple, x, h0, Tensor(), kernel, recurrent_kernel, bias,
                             mask, recurrent_mask, options);
  RnnTape tape;
  RnnOutputs out = simple_rnn_forward(a, tape);
  record_rnn(a, std::move(tape), x, h0, Tensor(), kernel, recurrent_kernel, bias, out);
  return out;
}

}  // namespace nncore
