// What the three recurrent ops share (rnn_simple.cpp, rnn_lstm.cpp, rnn_gru.cpp, and the
// backward node in autograd/grad_rnn.cpp): argument checks, the buffers a forward keeps for
// its backward, the input projection, the per-step row loops that apply the sequence mask,
// and the weight gradients taken during or after the BPTT loop.
//
// Layouts. Everything a step produces is stored time-major, by *input* time step t and batch
// row b, as (time, batch, ...) rows t * batch + b: one step's rows are one contiguous block
// (prefetch- and TLB-friendly; the row passes are memory-bound), and the weight gradients
// over a run of steps are single GEMMs, every buffer's rows in the same order. Only the output
// sequence is stored (batch, time, units), by processing step s (t = s, or time - 1 - s
// with go_backwards).
//
// The rows of the "xh" buffer are [x_t, 1, hm_t, 1] (hm_t: the h_prev, times the recurrent
// mask, that step t multiplies by R). The ones columns fold the biases into the GEMMs:
// the input projection is [x, 1] @ [W; b] (no separate bias pass), and the backward's
// [x, 1, hm]^T @ dG gives dW, db and dR in one product (no column sums).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "nncore/gemm.hpp"
#include "nncore/parallel.hpp"
#include "nncore/rnn.hpp"
#include "ops/rnn_kernels.hpp"

namespace nncore {

// The op's inputs after checking, with the sizes.
struct RnnArgs {
  RnnCell cell = RnnCell::simple;
  RnnOptions options;
  Tensor x;                         // (batch, time, features), any strides
  Tensor h0, c0;                    // (batch, units) contiguous, or undefined (zeros)
  Tensor kernel, recurrent_kernel;  // any strides
  Tensor bias;                      // contiguous, or undefined
  Tensor mask;                      // (batch, time) bool contiguous, or undefined
  Tensor recurrent_mask;            // (batch, units) contiguous, or undefined
  int64_t batch = 0, time = 0, features = 0, units = 0, gates = 1;
  DType dtype = DType::float32;

  // The row of (batch row b, input step t) in the time-major buffers.
  int64_t row(int64_t b, int64_t t) const { return t * batch + b; }
};

const char* rnn_op_name(RnnCell cell);

RnnArgs check_rnn_args(RnnCell cell, const Tensor& x, const Tensor& h0, const Tensor& c0,
                       const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                       const Tensor& mask, const Tensor& recurrent_mask,
                       const RnnOptions& options);

// What a forward keeps for its backward, by input time step.
struct RnnTape {
  Tensor gates;  // (time, batch, k * units): activated gates (GRU: z, r, hh)
  Tensor xh;     // (time, batch, features + units + 2): rows [x, 1, hm, 1]
  Tensor aux0;   // LSTM: c_prev of each step; GRU: rh (hm R_h + b_rh, or r hm)
  Tensor aux1;   // LSTM: activation(c) of each step
};

// Where the parts of an xh row start, and its width.
struct RnnXh {
  int64_t width, hm;  // hm: offset of hm (x at 0, its ones column at features)
  explicit RnnXh(int64_t features, int64_t units)
      : width(features + units + 2), hm(features + 1) {}
};

struct RnnWanted {
  bool x = false, h0 = false, c0 = false, kernel = false, recurrent_kernel = false,
       bias = false;
};
struct RnnGrads {
  Tensor x, h0, c0, kernel, recurrent_kernel, bias;
};

// Per cell (rnn_<cell>.cpp). The backward takes the gradients of the outputs (each may be
// undefined: zero) and returns the wanted input gradients.
RnnOutputs simple_rnn_forward(const RnnArgs& a, RnnTape& tape);
RnnOutputs lstm_forward(const RnnArgs& a, RnnTape& tape);
RnnOutputs gru_forward(const RnnArgs& a, RnnTape& tape);
RnnGrads simple_rnn_backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                             const Tensor& d_h, const RnnWanted& wanted);
RnnGrads lstm_backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                       const Tensor& d_h, const Tensor& d_c, const RnnWanted& wanted);
RnnGrads gru_backward(const RnnArgs& a, const RnnTape& tape, const Tensor& d_output,
                      const Tensor& d_h, const RnnWanted& wanted);

template <class T>
const RnnRowKernels<T>& rnn_row_kernels() {
  if constexpr (sizeof(T) == 4) return rnn_kernels().f32;
  else return rnn_kernels().f64;
}

// Rows per chunk of a row pass: enough gate elements per chunk to be worth a thread.
inline int64_t rnn_row_grain(int64_t row_elements) {
  return row_elements >= 4096 ? 1 : 4096 / (row_elements > 0 ? row_elements : 1);
}

// Requests `bytes` from p into L2 for reading. The time loops use it to
// fetch a row of the tape one step ahead: the tape of a sequence is megabytes, far larger
// than L2, and each step's block would otherwise be read at L3 latency by the row passes,
// which do too little arithmetic to hide it. Issued while the current step works, the
// fetch overlaps with that step's row pass and product.
inline void rnn_prefetch(const void* p, int64_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (int64_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, 0, 2);
}

// ---------------------------------------------------------------- shared GEMMs

// Columns [col0, col0 + n) of the recurrent kernel, packed once per sequence for the
// products of every time step: hm @ R in the forward.
template <class T>
PackedB<T> pack_recurrent(const RnnArgs& a, int64_t col0, int64_t n) {
  const Tensor& r = a.recurrent_kernel;
  return PackedB<T>(a.units, n, r.data<T>() + col0 * r.strides()[1], r.strides()[0],
                    r.strides()[1]);
}
// The backward multiplies the same columns by the gate gradients: dG @ R[:, cols]^T, with
// R^T packed once here. The per-step operand dG then sits on the micro-kernel's broadcast
// side, where its rows are read unpacked (gemm.cpp, use_unpacked_b), and the product comes
// out as row-major (batch, units) rows like every other state buffer.
template <class T>
PackedB<T> pack_recurrent_transposed(const RnnArgs& a, int64_t col0, int64_t n) {
  const Tensor& r = a.recurrent_kernel;
  return PackedB<T>(n, a.units, r.data<T>() + col0 * r.strides()[1], r.strides()[1],
                    r.strides()[0]);
}

// Allocates xh (time-major) and fills its x and ones columns (the time loop writes hm).
Tensor rnn_new_xh(const RnnArgs& a);
// The (batch, time, units) output sequence, or an undefined tensor without
// options.return_sequences.
Tensor rnn_new_output(const RnnArgs& a);

// gates (time * batch, k * units) = [x, 1] @ [kernel; bias_row], one GEMM over all steps,
// from xh (bias_row: k * units elements, or null).
template <class T>
void rnn_input_projection(const RnnArgs& a, const T* bias_row, const T* xh, T* gates) {
  const int64_t m = a.batch * a.time, n = a.kernel.size(1), f = a.features;
  const RnnXh layout(f, a.units);
  if (bias_row == nullptr) {
    if (f == 0) {
      std::memset(gates, 0, m * n * sizeof(T));
      return;
    }
    gemm(m, n, f, T(1), xh, layout.width, 1, a.kernel.data<T>(), a.kernel.strides()[0],
         a.kernel.strides()[1], T(0), gates, n, 1);
    return;
  }
  // [kernel; bias] as one (features + 1) x n operand, so the GEMM adds the bias for free.
  std::vector<T> wb((f + 1) * n);
  const T* w = a.kernel.data<T>();
  const int64_t s0 = a.kernel.strides()[0], s1 = a.kernel.strides()[1];
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = 0; j < n; ++j) wb[i * n + j] = w[i * s0 + j * s1];
  std::memcpy(wb.data() + f * n, bias_row, n * sizeof(T));
  gemm(m, n, f + 1, T(1), xh, layout.width, 1, wb.data(), n, 1, T(0), gates, n, 1);
}

// c (cols_a x cols_b) = A^T B (+ beta c) over `rows` rows: the weight gradients summed
// over (batch, time) rows in one GEMM.
template <class T>
void rnn_at_b(int64_t rows, int64_t cols_a, int64_t cols_b, const T* a, int64_t rsa,
              int64_t csa, const T* b, int64_t ldb, T* c, int64_t ldc, T beta = T(0)) {
  gemm(cols_a, cols_b, rows, T(1), a, csa, rsa, b, ldb, 1, beta, c, ldc, 1);
}

// dx (rows x features) = dg (rows x k * units, contiguous) @ kernel^T: the input gradient of
// `rows` time-major rows.
template <class T>
void rnn_input_grad_rows(const RnnArgs& a, const T* dg, int64_t rows, T* dx) {
  const Tensor& w = a.kernel;
  const int64_t n = a.features, k = w.size(1);
  gemm(rows, n, k, T(1), dg, k, 1, w.data<T>(), w.strides()[1], w.strides()[0], T(0), dx, n,
       1);
}

// dX (batch, time, features) = dG @ kernel^T, dG the (time * batch, k * units) gate
// gradients of the input projection (a permuted view of a time-major result).
Tensor rnn_grad_input(const RnnArgs& a, const Tensor& d_gates);

// The gate gradients dG of the cells whose input and recurrent products share them
// (SimpleRNN, LSTM), held one block of time steps at a time, and what is taken from each
// block once its rows are final: the weight gradients [x, 1, hm]^T @ dG (dW, db and dR, as
// views of its rows) and the input gradient dG @ kernel^T.
//
// Why blocks: dG of a whole sequence (time * batch * k * units values, 3.5 MiB for an
// LSTM(128) over 28 steps of 64) is far larger than L2. Kept whole, each row written cost
// a read for ownership and a write-back to memory, and the weight-gradient product read it
// all back. A block of about 256 rows stays in L2 from the row passes that write it to the
// products that consume it. Each block's products run over all batch rows, with every
// thread, so the sums are the same for any thread count.
template <class T>
class RnnGateGrads {
 public:
  RnnGateGrads(const RnnArgs& a, const Tensor& xh, const RnnWanted& wanted)
      : a_(a), xh_(xh), wanted_(wanted), width_(a.gates * a.units) {
    constexpr int64_t kRowsPerBlock = 256;
    steps_ = a.batch >= kRowsPerBlock ? 1
             : a.batch > 0               ? (kRowsPerBlock + a.batch - 1) / a.batch
                                         : a.time;  // an empty batch: one empty block
    if (steps_ > a.time) steps_ = a.time;
    block_ = Tensor::empty(Dims{steps_ * a.batch, width_}, a.dtype);
    if (wanted.kernel || wanted.bias || wanted.recurrent_kernel)
      sum_ = Tensor::empty(Dims{a.features + 1 + a.units, width_}, a.dtype);
    if (wanted.x) dx_ = Tensor::empty(Dims{a.time, a.batch, a.features}, a.dtype);
  }

  // Runs body(s_lo, s_hi) on blocks of processing steps, last to first. The body writes
  // the dG rows of its steps (rows(t)); the block's products follow it.
  template <class Body>
  void for_blocks(Body&& body) {
    for (int64_t s_hi = a_.time - 1; s_hi >= 0; s_hi -= steps_) {
      const int64_t s_lo = s_hi + 1 > steps_ ? s_hi + 1 - steps_ : 0;
      // Processing steps map to a run of input steps, whichever the direction.
      t_lo_ = a_.options.go_backwards ? a_.time - 1 - s_hi : s_lo;
      const int64_t rows = (s_hi - s_lo + 1) * a_.batch;
      // Masked steps leave their rows untouched: they must be zero for the products.
      if (a_.mask.defined()) std::memset(block_.data<T>(), 0, rows * width_ * sizeof(T));
      body(s_lo, s_hi);
      consume(rows);
    }
  }

  // The dG rows of input step t, in the current block: row b at rows(t) + b * width().
  T* rows(int64_t t) const { return block_.data<T>() + (t - t_lo_) * a_.batch * width_; }
  int64_t width() const { return width_; }

  RnnGrads finish() const {
    RnnGrads grads;
    const int64_t f = a_.features, u = a_.units;
    if (wanted_.kernel) grads.kernel = sum_.slice(0, 0, f, 1);
    if (wanted_.bias) grads.bias = sum_.select(0, f);
    if (wanted_.recurrent_kernel) grads.recurrent_kernel = sum_.slice(0, f + 1, f + 1 + u, 1);
    if (wanted_.x) grads.x = dx_.permute(Dims{1, 0, 2});
    return grads;
  }

 private:
  void consume(int64_t rows) {
    const int64_t first = t_lo_ * a_.batch, f = a_.features;
    const T* dg = block_.data<T>();
    if (sum_.defined()) {
      const int64_t w = RnnXh(f, a_.units).width;
      rnn_at_b(rows, sum_.size(0), width_, xh_.data<T>() + first * w, w, int64_t(1), dg,
               width_, sum_.data<T>(), width_, started_ ? T(1) : T(0));
      started_ = true;
    }
    if (dx_.defined()) rnn_input_grad_rows(a_, dg, rows, dx_.data<T>() + first * f);
  }

  const RnnArgs& a_;
  Tensor xh_;
  RnnWanted wanted_;
  int64_t width_, steps_ = 1, t_lo_ = 0;
  Tensor block_, sum_, dx_;
  bool started_ = false;
};
// xh[:, col0 : col0 + cols]^T @ dg over all (batch, time) rows: a (cols, n) tensor, dg
// rows `ldg` apart, n of their columns.
Tensor rnn_grad_weights(const RnnArgs& a, const Tensor& xh, int64_t col0, int64_t cols,
                        const Tensor& dg, int64_t ldg, int64_t n);

// ---------------------------------------------------------------- threads

// Runs fn(b0, b1) on disjoint ranges of batch rows, one per thread. The recurrence never
// mixes rows, so each thread runs the whole time loop on its own rows, with no
// synchronisation per step (single-threaded GEMMs inside). Every row's result is computed by
// the same arithmetic whatever the split (a GEMM's element does not depend on the other
// rows of its operand), so results are bitwise identical for any thread count.
template <class Fn>
void rnn_batch_chunks(int64_t batch, Fn&& fn) {
  constexpr int64_t kMinRows = 8;  // fewer rows per GEMM waste the micro-kernel's tiles
  const int64_t most = batch / kMinRows > 1 ? batch / kMinRows : 1;
  const int64_t n = get_num_threads() < most ? get_num_threads() : most;
  parallel_for(n, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) fn(batch * c / n, batch * (c + 1) / n);
  });
}

// ---------------------------------------------------------------- the forward time loop

// Bookkeeping of the forward time loop over rows [b0, b1): the state h (the h_n output,
// updated in place), the hm rows in xh, the output sequence, and the sequence mask.
template <class T>
struct RnnForwardLoop {
  const RnnArgs& a;
  int64_t batch, time, units;
  T* h;    // (batch, units)
  T* hm;   // the hm columns of xh: rows ld apart
  int64_t ld;
  T* y;    // (batch, time, units), by processing step, or null (no output sequence)
  const bool* mask;
  const T* rmask;

  RnnForwardLoop(const RnnArgs& args, T* h_, T* xh, const Tensor& output)
      : a(args), batch(args.batch), time(args.time), units(args.units), h(h_),
        hm(xh + RnnXh(args.features, args.units).hm),
        ld(RnnXh(args.features, args.units).width),
        y(output.defined() ? output.template data<T>() : nullptr),
        mask(args.mask.defined() ? args.mask.data<bool>() : nullptr),
        rmask(args.recurrent_mask.defined() ? args.recurrent_mask.template data<T>()
                                            : nullptr) {}

  int64_t time_at(int64_t s) const { return a.options.go_backwards ? time - 1 - s : s; }
  bool keep(int64_t b, int64_t t) const { return mask == nullptr || mask[b * time + t]; }
  T* hm_row(int64_t b, int64_t t) const { return hm + a.row(b, t) * ld; }

  // h = h0 (or zeros), and the hm of the first step.
  void start(int64_t b0, int64_t b1) const {
    const size_t bytes = (b1 - b0) * units * sizeof(T);
    if (a.h0.defined()) std::memcpy(h + b0 * units, a.h0.data<T>() + b0 * units, bytes);
    else std::memset(h + b0 * units, 0, bytes);
    for (int64_t b = b0; b < b1; ++b) write_hm(b, time_at(0));
  }

  void write_hm(int64_t b, int64_t t) const {
    T* dst = hm_row(b, t);
    const T* src = h + b * units;
    if (rmask == nullptr) {
      std::memcpy(dst, src, units * sizeof(T));
    } else {
      const T* m = rmask + b * units;
      for (int64_t j = 0; j < units; ++j) dst[j] = src[j] * m[j];
    }
  }

  // dst[b, :] = beta dst[b, :] + hm[t, b, :] @ r for b in [b0, b1), with r columns of R
  // packed by pack_recurrent; dst (a whole step's block) has rows `ldd` apart.
  void recurrent_product(int64_t t, int64_t b0, int64_t b1, const PackedB<T>& r, T beta,
                         T* dst, int64_t ldd) const {
    gemm(b1 - b0, T(1), hm_row(b0, t), ld, 1, r, beta, dst + b0 * ldd, ldd);
  }

  // fn(b) for the unmasked rows of input step t, no bookkeeping.
  template <class Fn>
  void unmasked_rows(int64_t t, int64_t b0, int64_t b1, Fn&& fn) const {
    for (int64_t b = b0; b < b1; ++b)
      if (keep(b, t)) fn(b);
  }

  // Processing step s: fn(b, t) computes the new state of each unmasked row (writing h's
  // row); then the output row, and the hm row of the next step. A masked row keeps its
  // state and repeats the previous output (zeros at the first step), as Keras does.
  template <class Fn>
  void step_rows(int64_t s, int64_t b0, int64_t b1, Fn&& fn) const {
    const int64_t t = time_at(s);
    for (int64_t b = b0; b < b1; ++b) {
      T* yb = y != nullptr ? y + (b * time + s) * units : nullptr;
      if (keep(b, t)) {
        fn(b, t);
        if (yb != nullptr) std::memcpy(yb, h + b * units, units * sizeof(T));
      } else if (yb != nullptr) {
        if (s > 0) std::memcpy(yb, yb - units, units * sizeof(T));
        else std::memset(yb, 0, units * sizeof(T));
      }
      if (s + 1 < time) write_hm(b, time_at(s + 1));
    }
  }
};

// ---------------------------------------------------------------- the backward time loop

// Bookkeeping of BPTT: dh, the gradient of the state after the current step (becomes the
// gradient of h0); dhn, the total gradient of the new h of the step being differentiated;
// and, with a sequence mask, the gradient carried by repeated outputs back to the step that
// produced them. The buffers cover the whole batch; the methods work on rows [b0, b1).
template <class T>
struct RnnBackwardLoop {
  const RnnArgs& a;
  int64_t batch, time, units;
  const T* dy;  // (batch, time, units) by processing step, or null
  T* dh;        // (batch, units)
  T* dhn;       // (batch, units)
  T* carry;     // (batch, units), with a mask only
  const bool* mask;
  const T* rmask;
  T* dhr;       // (batch, units): the product through R
  Tensor dh_t, dhn_t, carry_t, dy_t, dhr_t;

  RnnBackwardLoop(const RnnArgs& args, const Tensor& d_output, const Tensor& d_h)
      : a(args), batch(args.batch), time(args.time), units(args.units), dy(nullptr),
        mask(args.mask.defined() ? args.mask.data<bool>() : nullptr),
        rmask(args.recurrent_mask.defined() ? args.recurrent_mask.template data<T>()
                                            : nullptr) {
    dh_t = Tensor::empty(Dims{batch, units}, args.dtype);
    dhn_t = Tensor::empty(Dims{batch, units}, args.dtype);
    dhr_t = Tensor::empty(Dims{batch, units}, args.dtype);
    dh = dh_t.data<T>();
    dhn = dhn_t.data<T>();
    dhr = dhr_t.data<T>();
    if (d_h.defined()) std::memcpy(dh, d_h.contiguous().data<T>(), batch * units * sizeof(T));
    else std::memset(dh, 0, batch * units * sizeof(T));
    carry = nullptr;
    if (mask != nullptr) {
      carry_t = Tensor::empty(Dims{batch, units}, args.dtype);
      carry = carry_t.data<T>();
      std::memset(carry, 0, batch * units * sizeof(T));
    }
    if (d_output.defined()) {
      dy_t = d_output.contiguous();
      dy = dy_t.data<T>();
    }
  }

  int64_t time_at(int64_t s) const { return a.options.go_backwards ? time - 1 - s : s; }
  bool keep(int64_t b, int64_t t) const { return mask == nullptr || mask[b * time + t]; }

  // Processing step s, last to first: for each unmasked row, dhn = dh + the output's
  // gradient, then fn(b, t) writes the gate gradients (and, for a GRU, overwrites dh with
  // the direct gradient of hm). Masked rows pass dh through untouched; their gate-gradient
  // rows must be zero (the callers allocate them zeroed when there is a mask).
  template <class Fn>
  void step_rows(int64_t s, int64_t b0, int64_t b1, Fn&& fn) const {
    const int64_t t = time_at(s);
    for (int64_t b = b0; b < b1; ++b) {
      T* dhb = dh + b * units;
      T* dhnb = dhn + b * units;
      const T* g = dy != nullptr ? dy + (b * time + s) * units : nullptr;
      T* cb = carry != nullptr ? carry + b * units : nullptr;
      if (!keep(b, t)) {  // the output repeated the previous one: pass its gradient on
        if (g != nullptr)
          for (int64_t j = 0; j < units; ++j) cb[j] += g[j];
        continue;
      }
      if (g != nullptr && cb != nullptr) {
        for (int64_t j = 0; j < units; ++j) dhnb[j] = dhb[j] + g[j] + cb[j];
      } else if (g != nullptr) {
        for (int64_t j = 0; j < units; ++j) dhnb[j] = dhb[j] + g[j];
      } else if (cb != nullptr) {
        for (int64_t j = 0; j < units; ++j) dhnb[j] = dhb[j] + cb[j];
      } else {
        std::memcpy(dhnb, dhb, units * sizeof(T));
      }
      if (cb != nullptr) std::memset(cb, 0, units * sizeof(T));
      fn(b, t);
    }
  }

  // fn(b) for the unmasked rows of input step t.
  template <class Fn>
  void unmasked_rows(int64_t t, int64_t b0, int64_t b1, Fn&& fn) const {
    for (int64_t b = b0; b < b1; ++b)
      if (keep(b, t)) fn(b);
  }

  // The gradient of hm through R: rows [b0, b1) of dst (batch, units) =
  // dg_t[b, col0 : col0 + n] @ R[:, col0 : col0 + n]^T, with r packed by
  // pack_recurrent_transposed; dg_t: one step's gate-gradient rows, `ldg` apart.
  void recurrent_product(int64_t b0, int64_t b1, const T* dg_t, int64_t ldg, int64_t col0,
                         const PackedB<T>& r, T* dst) const {
    gemm(b1 - b0, T(1), dg_t + b0 * ldg + col0, ldg, 1, r, T(0), dst + b0 * units, units);
  }

  // Whether finish_step has nothing to do but take the product as it is, so the product
  // may be written straight into dh.
  bool product_is_dh(bool direct) const { return !direct && mask == nullptr && rmask == nullptr; }

  // dh = gradient of h_prev: (the product through R, rows of `dhr`, plus, with `direct`,
  // the direct gradient of hm the row pass left in dh) times the recurrent mask, for
  // unmasked rows. With product_is_dh, the product is already in dh.
  void finish_step(int64_t s, int64_t b0, int64_t b1, const T* dhr, bool direct) const {
    if (product_is_dh(direct)) return;
    const int64_t t = time_at(s);
    for (int64_t b = b0; b < b1; ++b) {
      if (!keep(b, t)) continue;
      T* dhb = dh + b * units;
      const T* pb = dhr + b * units;
      if (direct) {
        for (int64_t j = 0; j < units; ++j) dhb[j] += pb[j];
      } else {
        std::memcpy(dhb, pb, units * sizeof(T));
      }
      if (rmask != nullptr) {
        const T* m = rmask + b * units;
        for (int64_t j = 0; j < units; ++j) dhb[j] *= m[j];
      }
    }
  }

  // Where recurrent_product should write for finish_step(s, ..., direct).
  T* product_target(bool direct) const { return product_is_dh(direct) ? dh : dhr; }
};

// BPTT of the cells whose one gate gradient dG feeds both the weight gradients and the
// product through R (SimpleRNN, LSTM): for each step, last to first, row_pass(s, b0, b1,
// dg_t) writes the step's dG rows for batch rows [b0, b1) (dg_t: row b at dg_t + b *
// dg.width()), then the gradient flows to h_prev; dg takes its products block by block.
template <class T, class RowPass>
void rnn_bptt(const RnnArgs& a, const RnnBackwardLoop<T>& loop, RnnGateGrads<T>& dg,
              bool wants_h0, RowPass&& row_pass) {
  const PackedB<T> rt = pack_recurrent_transposed<T>(a, 0, dg.width());
  dg.for_blocks([&](int64_t s_lo, int64_t s_hi) {
    rnn_batch_chunks(a.batch, [&](int64_t b0, int64_t b1) {
      for (int64_t s = s_hi; s >= s_lo; --s) {
        T* dg_t = dg.rows(loop.time_at(s));
        row_pass(s, b0, b1, dg_t);
        if (s > 0 || wants_h0) {
          loop.recurrent_product(b0, b1, dg_t, dg.width(), 0, rt,
                                 loop.product_target(false));
          loop.finish_step(s, b0, b1, loop.dhr, false);
        }
      }
    });
  });
}

}  // namespace nncore
