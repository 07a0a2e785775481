// Optimizer row kernels (optim_kernels.hpp), written once and compiled once per ISA.
//
// Included by optim_kernels_<isa>.cpp inside namespace nncore::optim_<isa>, so each ISA gets
// its own copy compiled with its flags and a name of its own; for the same reason, call no
// inline library templates (std::sqrt, std::max, ...) here: the linker could share one
// ISA's copy with the others.
//
// The per-element formulas follow torch.optim's single-tensor code operation by operation
// (same association, same divisions), so trajectories agree with PyTorch to rounding; see
// nncore/optimizers.py for where this departs from Keras and why. Every loop is a plain
// restrict-qualified element loop with no calls, which the compiler vectorises (checked
// with -fopt-info-vec). Every operation is IEEE-exact (+ - * / sqrt, max, abs), so the
// ISAs give bitwise identical results, as long as the compiler keeps them separate:
// contracting a*b + c into one fused multiply-add (the default for C++ in GCC when FMA is
// available) rounds once instead of twice. GCC ignores `#pragma STDC FP_CONTRACT` in C++,
// hence its optimize attribute on each kernel; clang honours the pragma.
#ifndef NNC_NO_FP_CONTRACT
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#define NNC_NO_FP_CONTRACT
#else
#define NNC_NO_FP_CONTRACT __attribute__((optimize("fp-contract=off")))
#endif
#endif

inline float row_sqrt(float a) { return __builtin_sqrtf(a); }
inline double row_sqrt(double a) { return __builtin_sqrt(a); }
inline float row_abs(float a) { return __builtin_fabsf(a); }
inline double row_abs(double a) { return __builtin_fabs(a); }
// Written as a select: vectorises to one max instruction, unlike std::max on some compilers.
template <class T>
inline T row_max(T a, T b) { return a > b ? a : b; }

template <class T>
NNC_NO_FP_CONTRACT void sgd_row(int64_t n, T* __restrict p, const T* __restrict g,
                                T* __restrict v, T decay, T neg_lr, T mu, bool nesterov) {
  if (v == nullptr) {
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] * decay + neg_lr * g[i];
  } else if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      const T vi = mu * v[i] + neg_lr * g[i];
      v[i] = vi;
      p[i] = p[i] * decay + (mu * vi + neg_lr * g[i]);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const T vi = mu * v[i] + neg_lr * g[i];
      v[i] = vi;
      p[i] = p[i] * decay + vi;
    }
  }
}

template <class T>
NNC_NO_FP_CONTRACT void adagrad_row(int64_t n, T* __restrict p, const T* __restrict g,
                                    T* __restrict acc, T decay, T neg_lr, T e) {
  for (int64_t i = 0; i < n; ++i) {
    const T a = acc[i] + g[i] * g[i];
    acc[i] = a;
    p[i] = p[i] * decay + neg_lr * (g[i] / (row_sqrt(a) + e));
  }
}

template <class T, bool kCentered, bool kMomentum>
NNC_NO_FP_CONTRACT void rmsprop_row(int64_t n, T* __restrict p, const T* __restrict g,
                                    T* __restrict sq, T* __restrict ga, T* __restrict buf,
                                    T decay, T r, T w, T e, T l, T mu) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T s = sq[i] * r + w * (gi * gi);
    sq[i] = s;
    T var = s;
    if constexpr (kCentered) {
      const T a = ga[i] + w * (gi - ga[i]);  // torch's lerp
      ga[i] = a;
      var = s - a * a;
    }
    const T avg = row_sqrt(var) + e;
    if constexpr (kMomentum) {
      const T b = buf[i] * mu + l * (gi / avg);
      buf[i] = b;
      p[i] = p[i] * decay - b;
    } else {
      p[i] = p[i] * decay - l * (gi / avg);
    }
  }
}

template <class T>
NNC_NO_FP_CONTRACT void adadelta_row(int64_t n, T* __restrict p, const T* __restrict g,
                                     T* __restrict ag, T* __restrict ad, T decay, T r, T w,
                                     T e, T neg_lr) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T a = ag[i] * r + w * (gi * gi);
    ag[i] = a;
    const T delta = row_sqrt(ad[i] + e) / row_sqrt(a + e) * gi;
    ad[i] = ad[i] * r + w * (delta * delta);
    p[i] = p[i] * decay + neg_lr * delta;
  }
}

template <class T, bool kAmsgrad>
NNC_NO_FP_CONTRACT void adam_row(int64_t n, T* __restrict p, const T* __restrict g,
                                 T* __restrict m, T* __restrict v, T* __restrict vmax, T decay,
                                 T w1, T b2, T w2, T e, T neg_step, T bc2) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + w1 * (gi - m[i]);  // torch's lerp, Keras's form
    const T vi = v[i] * b2 + w2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    T vu = vi;
    if constexpr (kAmsgrad) {
      vu = row_max(vmax[i], vi);
      vmax[i] = vu;
    }
    p[i] = p[i] * decay + neg_step * (mi / (row_sqrt(vu) / bc2 + e));
  }
}

template <class T>
NNC_NO_FP_CONTRACT void adamax_row(int64_t n, T* __restrict p, const T* __restrict g,
                                   T* __restrict m, T* __restrict u, T decay, T w1, T b2, T e,
                                   T neg_clr) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + w1 * (gi - m[i]);
    const T ui = row_max(u[i] * b2, row_abs(gi) + e);
    m[i] = mi;
    u[i] = ui;
    p[i] = p[i] * decay + neg_clr * (mi / ui);
  }
}

template <class T>
NNC_NO_FP_CONTRACT void nadam_row(int64_t n, T* __restrict p, const T* __restrict g,
                                  T* __restrict m, T* __restrict v, T decay, T w1, T b2, T w2,
                                  T e, T bc2, T cg, T cm) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + w1 * (gi - m[i]);
    const T vi = v[i] * b2 + w2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    const T denom = row_sqrt(vi / bc2) + e;
    // Two separate additions, like torch's two addcdiv_ calls.
    const T pi = p[i] * decay + cg * (gi / denom);
    p[i] = pi + cm * (mi / denom);
  }
}

template <class T>
inline void fill_optim_rows(OptimRowKernels<T>& t) {
  t.sgd = sgd_row<T>;
  t.adagrad = adagrad_row<T>;
  t.rmsprop[0][0] = rmsprop_row<T, false, false>;
  t.rmsprop[0][1] = rmsprop_row<T, false, true>;
  t.rmsprop[1][0] = rmsprop_row<T, true, false>;
  t.rmsprop[1][1] = rmsprop_row<T, true, true>;
  t.adadelta = adadelta_row<T>;
  t.adam[0] = adam_row<T, false>;
  t.adam[1] = adam_row<T, true>;
  t.adamax = adamax_row<T>;
  t.nadam = nadam_row<T>;
}

inline void fill_optim_all(OptimKernels& t) {
  fill_optim_rows<float>(t.f32);
  fill_optim_rows<double>(t.f64);
}
