// Tensor creation: full, arange, eye, rand, randn.
#include <cmath>
#include <stdexcept>

#include "nncore/errors.hpp"
#include "nncore/ops.hpp"
#include "nncore/parallel.hpp"
#include "nncore/random.hpp"

namespace nncore {

Tensor full(const Dims& shape, double value, DType dtype) {
  Tensor out = Tensor::empty(shape, dtype);
  fill_(out, value);
  return out;
}

Tensor arange(double start, double stop, double step, DType dtype) {
  NNC_CHECK(step != 0 && std::isfinite(step) && std::isfinite(start) && std::isfinite(stop),
            std::invalid_argument, "arange: invalid range start=%g stop=%g step=%g", start,
            stop, step);
  const double count = std::ceil((stop - start) / step);
  NNC_CHECK(count < 9.0e15, std::invalid_argument, "arange: too many elements (%g)", count);
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  Tensor values = Tensor::empty(Dims{n}, DType::float64);
  double* v = values.data<double>();
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<double>(i) * step;
  return values.to(dtype);
}

Tensor eye(int64_t n, int64_t m, DType dtype) {
  NNC_CHECK(n >= 0 && m >= 0, std::invalid_argument, "eye: negative size (%lld, %lld)",
            static_cast<long long>(n), static_cast<long long>(m));
  Tensor out = full(Dims{n, m}, 0.0, dtype);
  const int64_t k = n < m ? n : m;
  if (k > 0) fill_(out.as_strided(Dims{k}, Dims{m + 1}, 0), 1.0);
  return out;
}

namespace {

void check_random_dtype(const char* op, DType dtype) {
  if (!is_floating(dtype))
    throw dtype_error(format_message("%s: requires a floating dtype, got %s", op,
                                     dtype_name(dtype)));
}

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr int64_t kRandomGrain = 16384;

}  // namespace

namespace {

// Fills `out` from the global Philox stream, `per_block` values per counter:
// make(words, values) turns one counter's four 32-bit words into them.
template <class T, class Make>
void fill_from_philox(const Tensor& out, int64_t per_block, Make make) {
  const int64_t n = out.numel();
  T* dst = out.data<T>();
  const int64_t blocks = ceil_div(n, per_block);
  const PhiloxRange range = reserve_philox(static_cast<uint64_t>(blocks));
  parallel_for(blocks, kRandomGrain, [&](int64_t begin, int64_t end) {
    uint32_t words[4];
    T values[4] = {};
    for (int64_t blk = begin; blk < end; ++blk) {
      philox4x32(range.first + blk, range.key, words);
      make(words, values);
      for (int64_t j = 0; j < per_block && blk * per_block + j < n; ++j)
        dst[blk * per_block + j] = values[j];
    }
  });
}

// Box-Muller: two uniforms in (0, 1] x [0, 1) make two independent standard normals.
inline void box_muller(double u1, double u2, double& z0, double& z1) {
  const double radius = std::sqrt(-2.0 * std::log(u1));
  z0 = radius * std::cos(kTwoPi * u2);
  z1 = radius * std::sin(kTwoPi * u2);
}

}  // namespace

Tensor rand(const Dims& shape, DType dtype) {
  check_random_dtype("rand", dtype);
  Tensor out = Tensor::empty(shape, dtype);
  // float32 takes one 32-bit word per value, float64 two.
  if (dtype == DType::float32) {
    fill_from_philox<float>(out, 4, [](const uint32_t* w, float* v) {
      for (int j = 0; j < 4; ++j) v[j] = uniform_float(w[j]);
    });
  } else {
    fill_from_philox<double>(out, 2, [](const uint32_t* w, double* v) {
      v[0] = uniform_double(w[0], w[1]);
      v[1] = uniform_double(w[2], w[3]);
    });
  }
  return out;
}

Tensor randn(const Dims& shape, DType dtype) {
  check_random_dtype("randn", dtype);
  Tensor out = Tensor::empty(shape, dtype);
  // 1 - u lies in (0, 1], so the logarithm in Box-Muller is finite.
  if (dtype == DType::float32) {
    fill_from_philox<float>(out, 4, [](const uint32_t* w, float* v) {
      for (int p = 0; p < 2; ++p) {
        double z0, z1;
        box_muller(1.0 - w[2 * p] * 0x1.0p-32, w[2 * p + 1] * 0x1.0p-32, z0, z1);
        v[2 * p] = static_cast<float>(z0);
        v[2 * p + 1] = static_cast<float>(z1);
      }
    });
  } else {
    fill_from_philox<double>(out, 2, [](const uint32_t* w, double* v) {
      box_muller(1.0 - uniform_double(w[0], w[1]), uniform_double(w[2], w[3]), v[0], v[1]);
    });
  }
  return out;
}

}  // namespace nncore
