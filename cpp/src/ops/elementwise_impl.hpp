// Elementwise kernels, written once and compiled once per ISA.
//
// This file is included by elementwise_<isa>.cpp inside namespace nncore::<isa>, so every
// function here gets that ISA's flags and a name of its own (functions compiled with
// different flags must never be merged by the linker). Loops are written so the compiler
// vectorises them: contiguous and broadcast-scalar cases get their own loop, and the math
// avoids branches. Do not call inline library templates (std::max, std::exp, ...) from here:
// they would be shared between ISAs.

// ---------------------------------------------------------------- scalar math

template <class T> inline T k_max(T a, T b) { return (a > b || a != a) ? a : b; }  // NaN wins
template <class T> inline T k_min(T a, T b) { return (a < b || a != a) ? a : b; }
template <class T> inline T k_abs(T a) { return a < T(0) ? T(-a) : a; }
inline float k_abs(float a) { return __builtin_fabsf(a); }
inline double k_abs(double a) { return __builtin_fabs(a); }
inline float k_sqrt(float a) { return __builtin_sqrtf(a); }
inline double k_sqrt(double a) { return __builtin_sqrt(a); }

inline float bits_to_float(uint32_t u) { float f; __builtin_memcpy(&f, &u, 4); return f; }
inline uint32_t float_to_bits(float f) { uint32_t u; __builtin_memcpy(&u, &f, 4); return u; }

// exp for float32 without branches, so whole loops vectorise: range reduction
// x = n*ln2 + r, |r| <= ln2/2, a degree-6 polynomial for e^r (Cephes coefficients), then
// scaling by 2^n in two halves so results near the overflow and underflow edges stay exact.
// Max error about 1 ulp.
inline float k_exp(float x) {
  const float xc = x > 88.7228394f ? 88.7228394f : (x < -103.972084f ? -103.972084f : x);
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (xc * 1.44269504088896341f + shifter) - shifter;
  const float r = (xc - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;
  const float s1 = bits_to_float(static_cast<uint32_t>(half + 127) << 23);
  const float s2 = bits_to_float(static_cast<uint32_t>(ni - half + 127) << 23);
  float out = y * s1 * s2;
  out = x > 88.7228394f ? __builtin_inff() : out;
  out = x < -103.972084f ? 0.0f : out;
  return x != x ? x : out;
}
inline double k_exp(double x) { return __builtin_exp(x); }

// log for float32 without branches: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then a
// polynomial for log(1 + (m - 1)) (Cephes coefficients). Subnormal inputs are scaled
// first. Max error about 1 ulp.
inline float k_log(float x) {
  const bool tiny = x < 1.17549435e-38f;
  const float xs = tiny ? x * 8388608.0f : x;  // 2^23
  const uint32_t bits = float_to_bits(xs);
  int32_t e = static_cast<int32_t>((bits >> 23) & 0xff) - 126 - (tiny ? 23 : 0);
  float m = bits_to_float((bits & 0x807fffffu) | 0x3f000000u);  // in [0.5, 1)
  const bool small = m < 0.707106781186547524f;
  e -= small ? 1 : 0;
  m = small ? (m + m - 1.0f) : (m - 1.0f);
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  const float fe = static_cast<float>(e);
  float y = p * m * z;
  y += fe * -2.12194440e-4f;
  y += -0.5f * z;
  float out = m + y + fe * 0.693359375f;
  out = x == 0.0f ? -__builtin_inff() : out;
  out = x < 0.0f ? __builtin_nanf("") : out;
  out = x == __builtin_inff() ? x : out;
  return x != x ? x : out;
}
inline double k_log(double x) { return __builtin_log(x); }

inline float k_pow(float a, float b) { return __builtin_powf(a, b); }
inline double k_pow(double a, double b) { return __builtin_pow(a, b); }

// ---------------------------------------------------------------- op functors

struct AddOp { template <class T> static T apply(T a, T b) { return a + b; } };
struct SubOp { template <class T> static T apply(T a, T b) { return a - b; } };
struct MulOp { template <class T> static T apply(T a, T b) { return a * b; } };
struct DivOp { template <class T> static T apply(T a, T b) { return a / b; } };
struct PowOp { template <class T> static T apply(T a, T b) { return k_pow(a, b); } };
struct MaxOp { template <class T> static T apply(T a, T b) { return k_max(a, b); } };
struct MinOp { template <class T> static T apply(T a, T b) { return k_min(a, b); } };
struct EqOp { template <class T> static bool apply(T a, T b) { return a == b; } };
struct NeOp { template <class T> static bool apply(T a, T b) { return a != b; } };
struct LtOp { template <class T> static bool apply(T a, T b) { return a < b; } };
struct LeOp { template <class T> static bool apply(T a, T b) { return a <= b; } };
struct GtOp { template <class T> static bool apply(T a, T b) { return a > b; } };
struct GeOp { template <class T> static bool apply(T a, T b) { return a >= b; } };

struct NegOp { template <class T> static T apply(T a) { return -a; } };
struct ExpOp { template <class T> static T apply(T a) { return k_exp(a); } };
struct LogOp { template <class T> static T apply(T a) { return k_log(a); } };
struct SqrtOp { template <class T> static T apply(T a) { return k_sqrt(a); } };
struct AbsOp { template <class T> static T apply(T a) { return k_abs(a); } };

// ---------------------------------------------------------------- loops

template <class Op, class T, class R>
void binary_loop(int64_t n, void* out_, int64_t so, const void* a_, int64_t sa, const void* b_,
                 int64_t sb) {
  R* out = static_cast<R*>(out_);
  const T* a = static_cast<const T*>(a_);
  const T* b = static_cast<const T*>(b_);
  if (so == 1) {
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(a[i], b[i]);
      return;
    }
    if (sa == 1 && sb == 0) {
      const T bv = *b;
      for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(a[i], bv);
      return;
    }
    if (sa == 0 && sb == 1) {
      const T av = *a;
      for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(av, b[i]);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i) out[i * so] = Op::apply(a[i * sa], b[i * sb]);
}

template <class Op, class T>
void unary_loop(int64_t n, void* out_, int64_t so, const void* a_, int64_t sa) {
  T* out = static_cast<T*>(out_);
  const T* a = static_cast<const T*>(a_);
  if (so == 1 && sa == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(a[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i * so] = Op::apply(a[i * sa]);
}

template <class S, class D>
void cast_loop(int64_t n, void* out_, int64_t so, const void* a_, int64_t sa) {
  D* out = static_cast<D*>(out_);
  const S* a = static_cast<const S*>(a_);
  if (so == 1 && sa == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<D>(a[i]);
    return;
  }
  if (so == 1 && sa == 0) {
    const D v = static_cast<D>(*a);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i * so] = static_cast<D>(a[i * sa]);
}

template <class T>
void clip_loop(int64_t n, void* out_, int64_t so, const void* a_, int64_t sa, bool has_lo,
               double lo_, bool has_hi, double hi_) {
  T* out = static_cast<T*>(out_);
  const T* a = static_cast<const T*>(a_);
  // A missing bound becomes the value itself, so the selects below keep the loop branch-free.
  const T lo = static_cast<T>(lo_), hi = static_cast<T>(hi_);
  for (int64_t i = 0; i < n; ++i) {
    T v = a[i * sa];
    v = (has_lo && v < lo) ? lo : v;
    v = (has_hi && v > hi) ? hi : v;
    out[i * so] = v;
  }
}

template <class T>
void where_loop(int64_t n, void* out_, int64_t so, const void* c_, int64_t sc, const void* a_,
                int64_t sa, const void* b_, int64_t sb) {
  T* out = static_cast<T*>(out_);
  const bool* c = static_cast<const bool*>(c_);
  const T* a = static_cast<const T*>(a_);
  const T* b = static_cast<const T*>(b_);
  if (so == 1 && sc == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = c[i] ? a[i] : b[i];
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i * so] = c[i * sc] ? a[i * sa] : b[i * sb];
}

// ---------------------------------------------------------------- table


template <class T>
void fill_comparisons(ElementwiseKernels& t, DType d) {
  const int i = static_cast<int>(d);
  t.binary[static_cast<int>(BinaryOp::eq)][i] = &binary_loop<EqOp, T, bool>;
  t.binary[static_cast<int>(BinaryOp::ne)][i] = &binary_loop<NeOp, T, bool>;
  t.binary[static_cast<int>(BinaryOp::lt)][i] = &binary_loop<LtOp, T, bool>;
  t.binary[static_cast<int>(BinaryOp::le)][i] = &binary_loop<LeOp, T, bool>;
  t.binary[static_cast<int>(BinaryOp::gt)][i] = &binary_loop<GtOp, T, bool>;
  t.binary[static_cast<int>(BinaryOp::ge)][i] = &binary_loop<GeOp, T, bool>;
}

template <class S>
void fill_casts_from(ElementwiseKernels& t, DType from) {
  const int f = static_cast<int>(from);
  t.cast[f][static_cast<int>(DType::float32)] = &cast_loop<S, float>;
  t.cast[f][static_cast<int>(DType::float64)] = &cast_loop<S, double>;
  t.cast[f][static_cast<int>(DType::int32)] = &cast_loop<S, int32_t>;
  t.cast[f][static_cast<int>(DType::int64)] = &cast_loop<S, int64_t>;
  t.cast[f][static_cast<int>(DType::uint8)] = &cast_loop<S, uint8_t>;
  t.cast[f][static_cast<int>(DType::bool_)] = &cast_loop<S, bool>;
}

template <class T>
void fill_numeric(ElementwiseKernels& t, DType d) {
  const int i = static_cast<int>(d);
  fill_comparisons<T>(t, d);
  fill_casts_from<T>(t, d);
  t.clip[i] = &clip_loop<T>;
  t.where[i] = &where_loop<T>;
  // add, sub, mul and maximum, minimum exist for every numeric dtype.
  t.binary[static_cast<int>(BinaryOp::add)][i] = &binary_loop<AddOp, T, T>;
  t.binary[static_cast<int>(BinaryOp::sub)][i] = &binary_loop<SubOp, T, T>;
  t.binary[static_cast<int>(BinaryOp::mul)][i] = &binary_loop<MulOp, T, T>;
  t.binary[static_cast<int>(BinaryOp::maximum)][i] = &binary_loop<MaxOp, T, T>;
  t.binary[static_cast<int>(BinaryOp::minimum)][i] = &binary_loop<MinOp, T, T>;
  t.unary[static_cast<int>(UnaryOp::abs)][i] = &unary_loop<AbsOp, T>;
}

template <class T>
void fill_floating(ElementwiseKernels& t, DType d) {
  fill_numeric<T>(t, d);
  const int i = static_cast<int>(d);
  t.binary[static_cast<int>(BinaryOp::div)][i] = &binary_loop<DivOp, T, T>;
  t.binary[static_cast<int>(BinaryOp::pow)][i] = &binary_loop<PowOp, T, T>;
  t.unary[static_cast<int>(UnaryOp::neg)][i] = &unary_loop<NegOp, T>;
  t.unary[static_cast<int>(UnaryOp::exp)][i] = &unary_loop<ExpOp, T>;
  t.unary[static_cast<int>(UnaryOp::log)][i] = &unary_loop<LogOp, T>;
  t.unary[static_cast<int>(UnaryOp::sqrt)][i] = &unary_loop<SqrtOp, T>;
}

template <class T>
void fill_signed_integer(ElementwiseKernels& t, DType d) {
  fill_numeric<T>(t, d);
  t.unary[static_cast<int>(UnaryOp::neg)][static_cast<int>(d)] = &unary_loop<NegOp, T>;
}

inline void fill_all(ElementwiseKernels& t) {
  fill_floating<float>(t, DType::float32);
  fill_floating<double>(t, DType::float64);
  fill_signed_integer<int32_t>(t, DType::int32);
  fill_signed_integer<int64_t>(t, DType::int64);
  fill_numeric<uint8_t>(t, DType::uint8);
  // bool: comparisons, casts and where only.
  fill_comparisons<bool>(t, DType::bool_);
  fill_casts_from<bool>(t, DType::bool_);
  t.where[static_cast<int>(DType::bool_)] = &where_loop<bool>;
}
