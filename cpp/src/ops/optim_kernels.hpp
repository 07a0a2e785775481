// The table of optimizer row kernels for one ISA (filled by optim_kernels_<isa>.cpp from
// optim_rows_impl.hpp).
//
// A row kernel applies one update to n contiguous elements: p is the parameter, g the
// gradient, the other arrays the optimizer's state, all advanced to the same offset by the
// caller (optim.cpp), which checks arguments, precomputes the coefficients in double and
// splits the parameter into chunks. Variants chosen per call (amsgrad, centered, momentum)
// are separate entries, so every loop is branch-free.
#pragma once

#include <cstdint>

namespace nncore {

template <class T>
struct OptimRowKernels {
  // v == nullptr: plain SGD; otherwise momentum, Nesterov's when `nesterov`.
  using Sgd = void (*)(int64_t n, T* p, const T* g, T* v, T decay, T neg_lr, T mu,
                       bool nesterov);
  using Adagrad = void (*)(int64_t n, T* p, const T* g, T* acc, T decay, T neg_lr, T e);
  // ga is read only when centered, buf only with momentum.
  using Rmsprop = void (*)(int64_t n, T* p, const T* g, T* sq, T* ga, T* buf, T decay, T r,
                           T w, T e, T l, T mu);
  using Adadelta = void (*)(int64_t n, T* p, const T* g, T* ag, T* ad, T decay, T r, T w, T e,
                            T neg_lr);
  // vmax is read only with amsgrad.
  using Adam = void (*)(int64_t n, T* p, const T* g, T* m, T* v, T* vmax, T decay, T w1, T b2,
                        T w2, T e, T neg_step, T bc2);
  using Adamax = void (*)(int64_t n, T* p, const T* g, T* m, T* u, T decay, T w1, T b2, T e,
                          T neg_clr);
  using Nadam = void (*)(int64_t n, T* p, const T* g, T* m, T* v, T decay, T w1, T b2, T w2,
                         T e, T bc2, T cg, T cm);

  Sgd sgd = nullptr;
  Adagrad adagrad = nullptr;
  Rmsprop rmsprop[2][2] = {};  // [centered][momentum]
  Adadelta adadelta = nullptr;
  Adam adam[2] = {};  // [amsgrad]
  Adamax adamax = nullptr;
  Nadam nadam = nullptr;
};

struct OptimKernels {
  OptimRowKernels<float> f32;
  OptimRowKernels<double> f64;
};

// The table for the active ISA (dispatch.hpp), built once.
const OptimKernels& optim_kernels();

void fill_optim_kernels_generic(OptimKernels& table);
void fill_optim_kernels_avx2(OptimKernels& table);
void fill_optim_kernels_avx512(OptimKernels& table);

}  // namespace nncore
