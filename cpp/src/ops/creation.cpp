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

Tensor rand(const Dims& shape, DType dtype) {
  check_random_dtype("rand", dtype);
  Tensor out = Tensor::empty(shape, dtype);
  const int64_t n = out.numel();
  // float32 uses one 32-bit word per element, float64 two: 4 or 2 elements per counter.
  const int64_t per_block = dtype == DType::float32 ? 4 : 2;
  const PhiloxRange range = reserve_philox(static_cast<uint64_t>(ceil_div(n, per_block)));
  parallel_for(ceil_div(n, per_block), kRandomGrain, [&](int64_t begin, int64_t end) {
    uint32_t w[4];
    for (int64_t blk = begin; blk < end; ++blk) {
      philox4x32(range.first + blk, range.key, w);
      for (int64_t j = 0; j < per_block && blk * per_block + j < n; ++j) {
        const int64_t i = blk * per_block + j;
        if (dtype == DType::float32) out.data<float>()[i] = uniform_float(w[j]);
        else out.data<double>()[i] = uniform_double(w[2 * j], w[2 * j + 1]);
      }
    }
  });
  return out;
}

Tensor randn(const Dims& shape, DType dtype) {
  check_random_dtype("randn", dtype);
  Tensor out = Tensor::empty(shape, dtype);
  const int64_t n = out.numel();
  // Box-Muller turns two uniforms into two normals: 4 float32 or 2 float64 per counter.
  const int64_t per_block = dtype == DType::float32 ? 4 : 2;
  const PhiloxRange range = reserve_philox(static_cast<uint64_t>(ceil_div(n, per_block)));
  parallel_for(ceil_div(n, per_block), kRandomGrain, [&](int64_t begin, int64_t end) {
    uint32_t w[4];
    double z[4];
    for (int64_t blk = begin; blk < end; ++blk) {
      philox4x32(range.first + blk, range.key, w);
      if (dtype == DType::float32) {
        for (int p = 0; p < 2; ++p) {
          // 1 - u lies in (0, 1], so the log is finite.
          const double u1 = 1.0 - static_cast<double>(w[2 * p]) * 0x1.0p-32;
          const double u2 = static_cast<double>(w[2 * p + 1]) * 0x1.0p-32;
          const double radius = std::sqrt(-2.0 * std::log(u1));
          z[2 * p] = radius * std::cos(kTwoPi * u2);
          z[2 * p + 1] = radius * std::sin(kTwoPi * u2);
        }
      } else {
        const double u1 = 1.0 - uniform_double(w[0], w[1]);
        const double u2 = uniform_double(w[2], w[3]);
        const double radius = std::sqrt(-2.0 * std::log(u1));
        z[0] = radius * std::cos(kTwoPi * u2);
        z[1] = radius * std::sin(kTwoPi * u2);
      }
      for (int64_t j = 0; j < per_block && blk * per_block + j < n; ++j) {
        const int64_t i = blk * per_block + j;
        if (dtype == DType::float32) out.data<float>()[i] = static_cast<float>(z[j]);
        else out.data<double>()[i] = z[j];
      }
    }
  });
  return out;
}

}  // namespace nncore
