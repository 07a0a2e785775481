// GRU: gates z, r, h (Keras's order), forward and BPTT, with the reset gate applied after
// the recurrent product (reset_after, Keras's default and PyTorch's form) or before it
// (see rnn.hpp).
//
// reset_after: one GEMM per step gives hm @ R for all three gates into a scratch row block
// (the h part must stay apart from the input projection, since r multiplies it alone).
// reset before: r must be known before (r hm) @ R_h, so a step is GEMM (z, r) -> pass ->
// GEMM (h) -> pass, and its backward likewise has two GEMMs.
#include <cstring>
#include <vector>

#include "autograd/record.hpp"
#include "nncore/ops.hpp"
#include "ops/rnn_common.hpp"

namespace nncore {
namespace {

// A time-major (time, batch, width) buffer.
Tensor seq_buffer(const RnnArgs& a, int64_t width, bool zeroed) {
  const Dims shape{a.time, a.batch, width};
  return zeroed ? full(shape, 0.0, a.dtype) : Tensor::empty(shape, a.dtype);
}

template <class T>
void forward(const RnnArgs& a, RnnOutputs& out, RnnTape& tape) {
  const RnnRowKernels<T>& k = rnn_row_kernels<T>();
  const int64_t u = a.units, time = a.time, gu = 3 * u;
  const bool masked = a.mask.defined();
  tape.gates = seq_buffer(a, gu, false);
  tape.xh = rnn_new_xh(a);
  // rh of masked rows is never computed but feeds the reset-before weight gradient GEMM,
  // where it must be finite: zero it.
  tape.aux0 = seq_buffer(a, u, masked);
  out.output = rnn_new_output(a);
  out.h_n = Tensor::empty(Dims{a.batch, u}, a.dtype);
  T* g = tape.gates.data<T>();
  T* xh = tape.xh.data<T>();
  T* rh = tape.aux0.data<T>();
  T* h = out.h_n.data<T>();
  const RnnForwardLoop<T> loop(a, h, xh, out.output);
  const Activation ra = a.options.recurrent_activation, act = a.options.activation;

  if (a.options.reset_after) {
    // The input projection carries b_i, plus b_r of z and r (they add up before sigma);
    // b_r of h is added to hm R_h inside the row pass, before r multiplies it.
    std::vector<T> bias_row;
    const T* rec_bias = nullptr;
    if (a.bias.defined()) {
      const T* b = a.bias.data<T>();
      bias_row.assign(b, b + gu);
      for (int64_t j = 0; j < 2 * u; ++j) bias_row[j] += b[gu + j];
      rec_bias = b + gu + 2 * u;
    }
    rnn_input_projection<T>(a, a.bias.defined() ? bias_row.data() : nullptr, xh, g);
    Tensor rec_t = Tensor::empty(Dims{a.batch, gu}, a.dtype);
    T* rec = rec_t.data<T>();
    const PackedB<T> rp = pack_recurrent<T>(a, 0, gu);
    rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
      loop.start(b0, b1);
      for (int64_t s = 0; s < time; ++s) {
        const int64_t t = loop.time_at(s);
        loop.recurrent_product(t, b0, b1, rp, T(0), rec, gu);
        loop.step_rows(s, b0, b1, [&](int64_t b, int64_t tb) {
          const int64_t r = a.row(b, tb);
          k.gru_after_forward(ra, act, u, g + r * gu, rec + b * gu, rec_bias,
                              loop.hm_row(b, tb), rh + r * u, h + b * u);
        });
      }
    });
    return;
  }

  rnn_input_projection<T>(a, a.bias.defined() ? a.bias.data<T>() : nullptr, xh, g);
  const PackedB<T> rp_zr = pack_recurrent<T>(a, 0, 2 * u);
  const PackedB<T> rp_h = pack_recurrent<T>(a, 2 * u, u);
  rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
    loop.start(b0, b1);
    for (int64_t s = 0; s < time; ++s) {
      const int64_t t = loop.time_at(s);
      loop.recurrent_product(t, b0, b1, rp_zr, T(1), g + t * a.batch * gu, gu);
      loop.unmasked_rows(t, b0, b1, [&](int64_t b) {
        const int64_t r = a.row(b, t);
        k.gru_before_zr_forward(ra, u, g + r * gu, loop.hm_row(b, t), rh + r * u);
      });
      // hh pre-activation += (r hm) @ R_h
      const int64_t r0 = a.row(b0, t);
      gemm(b1 - b0, T(1), rh + r0 * u, u, 1, rp_h, T(1), g + r0 * gu + 2 * u, gu);
      loop.step_rows(s, b0, b1, [&](int64_t b, int64_t tb) {
        const int64_t r = a.row(b, tb);
        k.gru_before_h_forward(act, u, g + r * gu, loop.hm_row(b, tb), h + b * u);
      });
    }
  });
}

template <class T>
RnnGrads backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                  const Tensor& d_h, const RnnWanted& wanted) {
  const RnnRowKernels<T>& k = rnn_row_kernels<T>();
  const int64_t u = a.units, time = a.time, gu = 3 * u, rows = a.batch * time;
  const int64_t f = a.features;
  const RnnXh layout(f, u);
  // Masked steps leave their rows of the gate gradients untouched: they start at zero.
  const bool masked = a.mask.defined();
  const T* g = tape.gates.data<T>();
  const T* hm = tape.xh.data<T>() + layout.hm;
  const int64_t ld = layout.width;
  const T* rh = tape.aux0.data<T>();
  const RnnBackwardLoop<T> loop(a, d_output, d_h);
  const Activation ra = a.options.recurrent_activation, act = a.options.activation;
  RnnGrads grads;
  Tensor dgi_t = seq_buffer(a, gu, masked);
  T* dgi = dgi_t.data<T>();
  // [x, 1]^T @ dG_in: dW in rows [0, f), the input bias in row f.
  Tensor dw_b;

  if (a.options.reset_after) {
    // dG_in (x W parts) and dG_rec (hm R parts) differ in the h slot by the factor r.
    Tensor dgr_t = seq_buffer(a, gu, masked);
    T* dgr = dgr_t.data<T>();
    const PackedB<T> rt = pack_recurrent_transposed<T>(a, 0, gu);
    rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
      for (int64_t s = time - 1; s >= 0; --s) {
        loop.step_rows(s, b0, b1, [&](int64_t b, int64_t t) {
          const int64_t r = a.row(b, t);
          k.gru_after_backward(ra, act, u, g + r * gu, rh + r * u, hm + r * ld,
                               loop.dhn + b * u, dgi + r * gu, dgr + r * gu, loop.dh + b * u);
        });
        if (s > 0 || wanted.h0) {
          loop.recurrent_product(b0, b1, dgr + loop.time_at(s) * a.batch * gu, gu, 0, rt,
                                 loop.dhr);
          loop.finish_step(s, b0, b1, loop.dhr, true);
        }
      }
    });
    if (wanted.kernel || wanted.bias) dw_b = rnn_grad_weights(a, tape.xh, 0, f + 1, dgi_t, gu, gu);
    if (wanted.recurrent_kernel || wanted.bias) {
      // [hm, 1]^T @ dG_rec: dR, then the recurrent bias.
      const Tensor dr_b = rnn_grad_weights(a, tape.xh, layout.hm, u + 1, dgr_t, gu, gu);
      if (wanted.recurrent_kernel) grads.recurrent_kernel = dr_b.slice(0, 0, u, 1);
      if (wanted.bias) {
        grads.bias = Tensor::empty(Dims{2, gu}, a.dtype);
        std::memcpy(grads.bias.data<T>(), dw_b.data<T>() + f * gu, gu * sizeof(T));
        std::memcpy(grads.bias.data<T>() + gu, dr_b.data<T>() + u * gu, gu * sizeof(T));
      }
    }
  } else {
    Tensor drh_t = Tensor::empty(Dims{a.batch, u}, a.dtype);
    T* drh = drh_t.data<T>();
    const PackedB<T> rt_zr = pack_recurrent_transposed<T>(a, 0, 2 * u);
    const PackedB<T> rt_h = pack_recurrent_transposed<T>(a, 2 * u, u);
    rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
      for (int64_t s = time - 1; s >= 0; --s) {
        const int64_t t = loop.time_at(s);
        loop.step_rows(s, b0, b1, [&](int64_t b, int64_t tb) {
          const int64_t r = a.row(b, tb);
          k.gru_before_h_backward(ra, act, u, g + r * gu, hm + r * ld, loop.dhn + b * u,
                                  dgi + r * gu, loop.dh + b * u);
        });
        // d(r hm) = dG_h @ R_h^T, then dr and the reset path's share of dhm.
        // (Rows of masked steps come out as zeros and go unused.)
        loop.recurrent_product(b0, b1, dgi + t * a.batch * gu, gu, 2 * u, rt_h, drh);
        loop.unmasked_rows(t, b0, b1, [&](int64_t b) {
          const int64_t r = a.row(b, t);
          k.gru_before_zr_backward(ra, u, g + r * gu, hm + r * ld, drh + b * u, dgi + r * gu,
                                   loop.dh + b * u);
        });
        if (s > 0 || wanted.h0) {
          loop.recurrent_product(b0, b1, dgi + t * a.batch * gu, gu, 0, rt_zr, loop.dhr);
          loop.finish_step(s, b0, b1, loop.dhr, true);
        }
      }
    });
    if (wanted.kernel || wanted.bias) dw_b = rnn_grad_weights(a, tape.xh, 0, f + 1, dgi_t, gu, gu);
    if (wanted.bias) grads.bias = dw_b.select(0, f);
    if (wanted.recurrent_kernel) {
      grads.recurrent_kernel = Tensor::empty(Dims{u, gu}, a.dtype);
      T* dr = grads.recurrent_kernel.data<T>();
      rnn_at_b(rows, u, 2 * u, hm, ld, 1, dgi, gu, dr, gu);
      rnn_at_b(rows, u, u, rh, u, 1, dgi + 2 * u, gu, dr + 2 * u, gu);
    }
  }
  if (wanted.kernel) grads.kernel = dw_b.slice(0, 0, f, 1);
  if (wanted.x) grads.x = rnn_grad_input(a, dgi_t);
  if (wanted.h0) grads.h0 = loop.dh_t;
  return grads;
}

}  // namespace

RnnOutputs gru_forward(const RnnArgs& a, RnnTape& tape) {
  RnnOutputs out;
  if (a.dtype == DType::float32) forward<float>(a, out, tape);
  else forward<double>(a, out, tape);
  return out;
}

RnnGrads gru_backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                      const Tensor& d_h, const RnnWanted& wanted) {
  if (a.dtype == DType::float32) return backward<float>(a, tape, d_output, d_h, wanted);
  return backward<double>(a, tape, d_output, d_h, wanted);
}

RnnOutputs gru(const Tensor& x, const Tensor& h0, const Tensor& kernel,
               const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& mask,
               const Tensor& recurrent_mask, const RnnOptions& options) {
  RnnArgs a = check_rnn_args(RnnCell::gru, x, h0, Tensor(), kernel, recurrent_kernel, bias,
                             mask, recurrent_mask, options);
  RnnTape tape;
  RnnOutputs out = gru_forward(a, tape);
  record_rnn(a, std::move(tape), x, h0, Tensor(), kernel, recurrent_kernel, bias, out);
  return out;
}

}  // namespace nncore
