// Activation kernels, written once and compiled once per ISA.
//
// Included by kernels_<isa>.cpp inside namespace nncore::kernels_<isa>, after
// elementwise_impl.hpp (k_exp, k_log, k_abs, k_max, k_sqrt) and reduce_impl.hpp (kLanes,
// lanes_tree_sum), for the same reason as those: each ISA gets its own copy, compiled with
// its flags. Keep the float32 math branch-free (selects, no calls) so the loops vectorise,
// and do not call std:: inline templates from here. float64 uses the __builtin_ libm
// functions: its callers are gradient checks and accuracy, not speed.

// ---------------------------------------------------------------- scalar math

// tanh: an odd polynomial near 0 (where 1 - 2/(e^2x + 1) would cancel), that formula
// elsewhere (Cephes tanhf coefficients; error a few ulp).
inline float k_tanh(float x) {
  const float a = k_abs(x);
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  const float e = k_exp(a + a);
  float big = 1.0f - 2.0f / (e + 1.0f);
  big = x < 0.0f ? -big : big;
  return a < 0.625f ? small : big;
}
inline double k_tanh(double x) { return __builtin_tanh(x); }

inline float k_sigmoid(float x) { return 1.0f / (1.0f + k_exp(-x)); }
inline double k_sigmoid(double x) { return 1.0 / (1.0 + __builtin_exp(-x)); }

// log(1 + x) without losing the low bits of small x: the rounding error of u = 1 + x is
// cancelled by scaling with x / (u - 1) (Goldberg's trick).
inline float k_log1p(float x) {
  const float u = 1.0f + x;
  const float d = u - 1.0f;
  const float r = k_log(u) * (x / (d == 0.0f ? 1.0f : d));
  return (d == 0.0f || u == __builtin_inff()) ? (d == 0.0f ? x : u) : r;
}
inline double k_log1p(double x) { return __builtin_log1p(x); }

// e^x - 1 accurate near 0, the same trick: (u - 1) * x / log(u) with u = e^x rounded.
inline float k_expm1(float x) {
  const float xc = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float u = k_exp(xc);
  const float r = (u - 1.0f) * (xc / k_log(u == 1.0f ? 2.0f : u));
  float out = u == 1.0f ? xc : r;
  out = x > 88.0f ? __builtin_inff() : out;
  return x != x ? x : out;
}
inline double k_expm1(double x) { return __builtin_expm1(x); }

// erfc(z) for z >= 0: Numerical Recipes' Chebyshev fit, relative error ~1e-7 in exact
// arithmetic (a few 1e-6 far in the tail in float32, where erfc < 1e-5).
inline float k_erfc_pos(float z) {
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * k_exp(p - z * z);
}

// erf(x) for |x| < 1: x * P(x^2) (Cephes erff coefficients), relative error ~2e-7.
inline float k_erf_small(float x) {
  const float z = x * x;
  float p = 7.853861353153693e-5f;
  p = p * z - 8.010193625184903e-4f;
  p = p * z + 5.188327685732524e-3f;
  p = p * z - 2.685381193529856e-2f;
  p = p * z + 1.128358514861418e-1f;
  p = p * z - 3.761262582423300e-1f;
  p = p * z + 1.128379165726710e+0f;
  return x * p;
}

// erf with max abs error ~2e-7 (both branches evaluated, then selected).
inline float k_erf(float x) {
  const float a = k_abs(x);
  const float big = 1.0f - k_erfc_pos(a);
  const float r = a < 1.0f ? k_erf_small(x) : (x < 0.0f ? -big : big);
  return x != x ? x : r;
}
inline double k_erf(double x) { return __builtin_erf(x); }

// The standard normal CDF, accurate in relative terms in the lower tail too (via erfc
// rather than 1 + erf, which would cancel), so gelu(x) for x << 0 keeps its digits.
inline float k_phi(float x) {
  const float z = x * 0.707106781186547524f;
  const float a = k_abs(z);
  const float c = 0.5f * k_erfc_pos(a);
  const float tail = z < 0.0f ? c : 1.0f - c;
  return a < 1.0f ? 0.5f + 0.5f * k_erf_small(z) : tail;
}
inline double k_phi(double x) { return 0.5 * __builtin_erfc(-x * 0.70710678118654752440); }

// asinh(|x|) = log1p(|x| + x^2 / (1 + sqrt(x^2 + 1))), exact near 0; log(2|x|) once x^2
// would overflow.
inline float k_asinh(float x) {
  const float a = k_abs(x);
  const bool huge = a > 1e18f;
  const float as = huge ? 1.0f : a;
  const float s = k_log1p(as + as * as / (1.0f + k_sqrt(as * as + 1.0f)));
  const float r = huge ? k_log(a) + 0.693147180559945309f : s;
  return x != x ? x : (x < 0.0f ? -r : r);
}
inline double k_asinh(double x) { return __builtin_asinh(x); }

// ---------------------------------------------------------------- activations
// f(x, alpha, beta) is the forward; df(g, s, alpha, beta) is g * f'(x) from the saved
// tensor s (the output for sigmoid, tanh and relu, the input otherwise: activation.cpp
// keeps the same list). Comparisons are written so NaN inputs give NaN outputs.

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrt2OverPi = 0.79788456080286535587989211986876;
constexpr double kInvSqrt2Pi = 0.39894228040143267793994605993438;

struct LinearF {
  template <class T> static T f(T x, T, T) { return x; }
  template <class T> static T df(T g, T, T, T) { return g; }
};
struct StepF {
  template <class T> static T f(T x, T at0, T) {
    return x > T(0) ? T(1) : (x < T(0) ? T(0) : (x == T(0) ? at0 : x));
  }
  template <class T> static T df(T, T, T, T) { return T(0); }
};
struct SignF {
  template <class T> static T f(T x, T, T) { return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x); }
  template <class T> static T df(T, T, T, T) { return T(0); }
};
struct SigmoidF {
  template <class T> static T f(T x, T, T) { return k_sigmoid(x); }
  template <class T> static T df(T g, T y, T, T) { return g * y * (T(1) - y); }
};
struct HardSigmoidF {
  template <class T> static T f(T x, T, T) {
    T v = x + T(3);
    v = v < T(0) ? T(0) : v;
    v = v > T(6) ? T(6) : v;
    return v / T(6);
  }
  template <class T> static T df(T g, T x, T, T) {
    return (x > T(-3) && x < T(3)) ? g / T(6) : T(0);
  }
};
struct TanhF {
  template <class T> static T f(T x, T, T) { return k_tanh(x); }
  template <class T> static T df(T g, T y, T, T) { return g * (T(1) - y * y); }
};
struct ReluF {
  template <class T> static T f(T x, T, T) { return x < T(0) ? T(0) : x; }
  template <class T> static T df(T g, T y, T, T) { return y > T(0) ? g : T(0); }
};
struct Relu6F {
  template <class T> static T f(T x, T, T) {
    const T v = x < T(0) ? T(0) : x;
    return v > T(6) ? T(6) : v;
  }
  // PyTorch's hardtanh rule: no gradient at the corners themselves.
  template <class T> static T df(T g, T x, T, T) { return (x > T(0) && x < T(6)) ? g : T(0); }
};
struct LeakyReluF {
  template <class T> static T f(T x, T slope, T) { return x > T(0) ? x : x * slope; }
  template <class T> static T df(T g, T x, T slope, T) { return x > T(0) ? g : g * slope; }
};
struct EluF {
  template <class T> static T f(T x, T alpha, T) {
    return x > T(0) ? x : alpha * k_expm1(x < T(0) ? x : T(0));
  }
  template <class T> static T df(T g, T x, T alpha, T) {
    return x > T(0) ? g : g * alpha * k_exp(x < T(0) ? x : T(0));
  }
};
struct SeluF {
  template <class T> static T f(T x, T, T) {
    return T(kSeluScale) * EluF::f(x, T(kSeluAlpha), T(0));
  }
  template <class T> static T df(T g, T x, T, T) {
    return T(kSeluScale) * EluF::df(g, x, T(kSeluAlpha), T(0));
  }
};
struct GeluF {
  template <class T> static T f(T x, T, T) { return x * k_phi(x); }
  template <class T> static T df(T g, T x, T, T) {
    return g * (k_phi(x) + x * T(kInvSqrt2Pi) * k_exp(T(-0.5) * x * x));
  }
};
// 0.5 x (1 + tanh(u)) = x * sigmoid(2u): the same function without the cancellation of
// 1 + tanh(u) for x << 0; and 1 - tanh(u)^2 = 4 s (1 - s).
struct GeluTanhF {
  template <class T> static T inner2(T x) {
    return T(2 * kSqrt2OverPi) * (x + T(0.044715) * x * x * x);
  }
  template <class T> static T f(T x, T, T) { return x * k_sigmoid(inner2(x)); }
  template <class T> static T df(T g, T x, T, T) {
    const T s = k_sigmoid(inner2(x));
    const T dinner2 = T(2 * kSqrt2OverPi) * (T(1) + T(3 * 0.044715) * x * x);
    return g * (s + x * s * (T(1) - s) * dinner2);
  }
};
struct SiluF {
  template <class T> static T f(T x, T, T) { return x * k_sigmoid(x); }
  template <class T> static T df(T g, T x, T, T) {
    const T s = k_sigmoid(x);
    return g * s * (T(1) + x * (T(1) - s));
  }
};
struct SoftplusF {  // alpha: beta, beta: threshold (PyTorch's names)
  template <class T> static T f(T x, T beta, T threshold) {
    const T z = x * beta;
    return z > threshold ? x : k_log1p(k_exp(z)) / beta;
  }
  template <class T> static T df(T g, T x, T beta, T threshold) {
    const T z = x * beta;
    return z > threshold ? g : g * k_sigmoid(z);
  }
};
struct SoftsignF {
  template <class T> static T f(T x, T, T) { return x / (T(1) + k_abs(x)); }
  template <class T> static T df(T g, T x, T, T) {
    const T d = T(1) + k_abs(x);
    return g / (d * d);
  }
};
// tanh(softplus(x)) = n / (n + 2) with n = e^x (e^x + 2): one exp, no cancellation. Past
// x = 20 the value is 1 in both precisions, so x is capped there to keep n finite.
template <class T> inline T k_tanh_softplus(T e) {
  const T n = e * (e + T(2));
  return n / (n + T(2));
}
struct MishF {
  template <class T> static T f(T x, T, T) {
    return x * k_tanh_softplus(k_exp(x < T(20) ? x : T(20)));
  }
  template <class T> static T df(T g, T x, T, T) {
    const T e = k_exp(x < T(20) ? x : T(20));
    const T tsp = k_tanh_softplus(e);
    return g * (tsp + x * (e / (T(1) + e)) * (T(1) - tsp * tsp));
  }
};
struct GaussianF {
  template <class T> static T f(T x, T, T) { return k_exp(T(-0.5) * x * x); }
  template <class T> static T df(T g, T x, T, T) { return -g * x * k_exp(T(-0.5) * x * x); }
};
struct AsinhF {
  template <class T> static T f(T x, T, T) { return k_asinh(x); }
  template <class T> static T df(T g, T x, T, T) { return g / k_sqrt(x * x + T(1)); }
};

// ---------------------------------------------------------------- pointwise loops

template <class F, class T>
void act_forward(int64_t n, void* out_, int64_t so, const void* x_, int64_t sx, double a_,
                 double b_) {
  T* out = static_cast<T*>(out_);
  const T* x = static_cast<const T*>(x_);
  const T a = static_cast<T>(a_), b = static_cast<T>(b_);
  if (so == 1 && sx == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = F::f(x[i], a, b);
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i * so] = F::f(x[i * sx], a, b);
}

template <class F, class T>
void act_backward(int64_t n, void* gx_, int64_t sgx, const void* g_, int64_t sg,
                  const void* s_, int64_t ss, double a_, double b_) {
  T* gx = static_cast<T*>(gx_);
  const T* g = static_cast<const T*>(g_);
  const T* s = static_cast<const T*>(s_);
  const T a = static_cast<T>(a_), b = static_cast<T>(b_);
  if (sgx == 1 && ss == 1 && sg == 1) {
    for (int64_t i = 0; i < n; ++i) gx[i] = F::df(g[i], s[i], a, b);
    return;
  }
  if (sgx == 1 && ss == 1 && sg == 0) {  // the expanded ones of a sum().backward()
    const T gv = *g;
    for (int64_t i = 0; i < n; ++i) gx[i] = F::df(gv, s[i], a, b);
    return;
  }
  for (int64_t i = 0; i < n; ++i) gx[i * sgx] = F::df(g[i * sg], s[i * ss], a, b);
}

template <class T>
void prelu_forward(int64_t n, void* out_, int64_t so, const void* x_, int64_t sx,
                   const void* w_, int64_t sw) {
  T* out = static_cast<T*>(out_);
  const T* x = static_cast<const T*>(x_);
  const T* w = static_cast<const T*>(w_);
  if (so == 1 && sx == 1 && sw == 0) {  // channels-first inner runs share one weight
    const T wv = *w;
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] > T(0) ? x[i] : wv * x[i];
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i * sx];
    out[i * so] = v > T(0) ? v : w[i * sw] * v;
  }
}

template <class T>
void prelu_backward(int64_t n, void* gx_, int64_t sgx, void* gw_, int64_t sgw, const void* g_,
                    int64_t sg, const void* x_, int64_t sx, const void* w_, int64_t sw) {
  T* gx = static_cast<T*>(gx_);
  T* gw = static_cast<T*>(gw_);
  const T* g = static_cast<const T*>(g_);
  const T* x = static_cast<const T*>(x_);
  const T* w = static_cast<const T*>(w_);
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i * sx], gv = g[i * sg];
    const bool pos = v > T(0);
    gx[i * sgx] = pos ? gv : w[i * sw] * gv;
    gw[i * sgw] = pos ? T(0) : v * gv;
  }
}

// ---------------------------------------------------------------- softmax

// Row reductions over kLanes independent lanes: vectorisable without reassociation, so the
// result does not depend on how the caller splits the rows among threads.
template <class T>
inline T row_max(const T* x, int64_t n) {
  T lane[kLanes];
  for (int l = 0; l < kLanes; ++l) lane[l] = -__builtin_inf();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] = k_max(lane[l], x[i + l]);
  for (; i < n; ++i) lane[0] = k_max(lane[0], x[i]);
  T m = lane[0];
  for (int l = 1; l < kLanes; ++l) m = k_max(m, lane[l]);
  return m;
}

// sum of a[i] * (b ? b[i] : 1)
template <class T>
inline T row_dot(const T* a, const T* b, int64_t n) {
  T lane[kLanes] = {};
  int64_t i = 0;
  if (b != nullptr) {
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l) lane[l] += a[i + l] * b[i + l];
    for (; i < n; ++i) lane[0] += a[i] * b[i];
  } else {
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l) lane[l] += a[i + l];
    for (; i < n; ++i) lane[0] += a[i];
  }
  return lanes_tree_sum(lane);
}

template <class T>
void softmax_forward(int64_t n, int64_t cols, int64_t ld, const void* x_, void* y_, bool log) {
  const T* x = static_cast<const T*>(x_);
  T* y = static_cast<T*>(y_);
  if (cols == 1) {  // one contiguous row (ld == 1)
    const T m = row_max(x, n);
    for (int64_t i = 0; i < n; ++i) y[i] = k_exp(x[i] - m);
    const T s = row_dot<T>(y, nullptr, n);
    if (log) {
      const T ls = k_log(s);
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] - m - ls;
    } else {
      const T inv = T(1) / s;
      for (int64_t i = 0; i < n; ++i) y[i] *= inv;
    }
    return;
  }
  // Columns: reduce along i for `cols` neighbouring columns at once (vectorised along j).
  T m[kSoftmaxMaxCols], s[kSoftmaxMaxCols];
  for (int64_t j = 0; j < cols; ++j) { m[j] = x[j]; s[j] = T(0); }
  for (int64_t i = 1; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j) m[j] = k_max(m[j], x[i * ld + j]);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const T e = k_exp(x[i * ld + j] - m[j]);
      y[i * ld + j] = e;
      s[j] += e;
    }
  if (log) {
    for (int64_t j = 0; j < cols; ++j) s[j] = k_log(s[j]);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < cols; ++j) y[i * ld + j] = x[i * ld + j] - m[j] - s[j];
  } else {
    for (int64_t j = 0; j < cols; ++j) s[j] = T(1) / s[j];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < cols; ++j) y[i * ld + j] *= s[j];
  }
}

// softmax: gx = y * (g - sum(g * y)); log-softmax: gx = g - e^y * sum(g).
template <class T>
void softmax_backward(int64_t n, int64_t cols, int64_t ld, const void* y_, const void* g_,
                      void* gx_, bool log) {
  const T* y = static_cast<const T*>(y_);
  const T* g = static_cast<const T*>(g_);
  T* gx = static_cast<T*>(gx_);
  if (cols == 1) {
    if (log) {
      const T s = row_dot<T>(g, nullptr, n);
      for (int64_t i = 0; i < n; ++i) gx[i] = g[i] - k_exp(y[i]) * s;
    } else {
      const T s = row_dot<T>(g, y, n);
      for (int64_t i = 0; i < n; ++i) gx[i] = y[i] * (g[i] - s);
    }
    return;
  }
  T s[kSoftmaxMaxCols];
  for (int64_t j = 0; j < cols; ++j) s[j] = T(0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j)
      s[j] += log ? g[i * ld + j] : g[i * ld + j] * y[i * ld + j];
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t k = i * ld + j;
      gx[k] = log ? g[k] - k_exp(y[k]) * s[j] : y[k] * (g[k] - s[j]);
    }
}

// ---------------------------------------------------------------- table

template <class F, class T>
void fill_act(ActivationKernels& t, Activation act, int d, bool with_backward) {
  t.forward[static_cast<int>(act)][d] = &act_forward<F, T>;
  if (with_backward) t.backward[static_cast<int>(act)][d] = &act_backward<F, T>;
}

template <class T>
void fill_activations_for(ActivationKernels& t, int d) {
  // linear, step and sign have no backward kernel: their gradient is g itself or zero.
  fill_act<LinearF, T>(t, Activation::linear, d, false);
  fill_act<StepF, T>(t, Activation::step, d, false);
  fill_act<SignF, T>(t, Activation::sign, d, false);
  fill_act<SigmoidF, T>(t, Activation::sigmoid, d, true);
  fill_act<HardSigmoidF, T>(t, Activation::hard_sigmoid, d, true);
  fill_act<TanhF, T>(t, Activation::tanh, d, true);
  fill_act<ReluF, T>(t, Activation::relu, d, true);
  fill_act<Relu6F, T>(t, Activation::relu6, d, true);
  fill_act<LeakyReluF, T>(t, Activation::leaky_relu, d, true);
  fill_act<EluF, T>(t, Activation::elu, d, true);
  fill_act<SeluF, T>(t, Activation::selu, d, true);
  fill_act<GeluF, T>(t, Activation::gelu, d, true);
  fill_act<GeluTanhF, T>(t, Activation::gelu_tanh, d, true);
  fill_act<SiluF, T>(t, Activation::silu, d, true);
  fill_act<SoftplusF, T>(t, Activation::softplus, d, true);
  fill_act<SoftsignF, T>(t, Activation::softsign, d, true);
  fill_act<MishF, T>(t, Activation::mish, d, true);
  fill_act<GaussianF, T>(t, Activation::gaussian, d, true);
  fill_act<AsinhF, T>(t, Activation::asinh, d, true);
  t.prelu_forward[d] = &prelu_forward<T>;
  t.prelu_backward[d] = &prelu_backward<T>;
  t.softmax_forward[d] = &softmax_forward<T>;
  t.softmax_backward[d] = &softmax_backward<T>;
}

inline void fill_activation_all(ActivationKernels& t) {
  fill_activations_for<float>(t, 0);
  fill_activations_for<double>(t, 1);
}
