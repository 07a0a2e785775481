// Fused softmax cross-entropy (losses.hpp): one pass per row forward, one backward.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autograd/formula_node.hpp"
#include "nncore/errors.hpp"
#include "nncore/losses.hpp"
#include "nncore/parallel.hpp"

namespace nncore {
namespace {

constexpr int64_t kRowGrain = 16384;  // elements per parallel chunk

// Row-wise log-sum-exp with the max subtracted first.
template <class T>
double log_sum_exp(const T* x, int64_t c) {
  T m = x[0];
  for (int64_t j = 1; j < c; ++j) m = x[j] > m ? x[j] : m;
  double s = 0;
  for (int64_t j = 0; j < c; ++j) s += std::exp(static_cast<double>(x[j] - m));
  return static_cast<double>(m) + std::log(s);
}

void check_logits(const char* op, const Tensor& logits) {
  NNC_CHECK(logits.ndim() == 2 && logits.size(1) > 0, std::invalid_argument,
            "%s: expected logits of shape (N, C) with C > 0, got %s", op,
            describe(logits).c_str());
  if (!is_floating(logits.dtype()))
    throw dtype_error(format_message("%s: logits must be float32 or float64, got %s", op,
                                     describe(logits).c_str()));
}

// Class indices as int64, each checked against C.
Tensor checked_targets(const char* op, const Tensor& target, int64_t n, int64_t c) {
  if (target.dtype() != DType::int64 && target.dtype() != DType::int32)
    throw dtype_error(format_message("%s: class targets must be int64 or int32, got %s", op,
                                     describe(target).c_str()));
  NNC_CHECK(target.ndim() == 1 && target.size(0) == n, std::invalid_argument,
            "%s: expected %lld class targets of shape (%lld,), got %s", op,
            static_cast<long long>(n), static_cast<long long>(n),
            describe(target).c_str());
  Tensor t = target.to(DType::int64).contiguous();
  const int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    NNC_CHECK(p[i] >= 0 && p[i] < c, std::out_of_range,
              "%s: target %lld at row %lld is not a class index in [0, %lld)", op,
              static_cast<long long>(p[i]), static_cast<long long>(i),
              static_cast<long long>(c));
  return t;
}

// grad_x[i, j] = g[i] * (softmax(x_i)_j * mass_i - p_ij): hard targets have p = onehot and
// mass 1; soft targets have mass sum_j p_ij.
template <class T>
Tensor cross_entropy_grad(const Tensor& x, const Tensor& g_in, const Tensor& target, bool soft) {
  const int64_t n = x.size(0), c = x.size(1);
  Tensor grad = Tensor::empty(x.shape(), x.dtype());
  const Tensor g = g_in.contiguous();
  const T* xp = x.data<T>();
  const T* gp = g.data<T>();
  T* out = grad.data<T>();
  parallel_for(n, std::max<int64_t>(1, kRowGrain / c), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T* row = xp + i * c;
      const double lse = log_sum_exp(row, c);
      double mass = 1.0;
      const T* p = soft ? target.data<T>() + i * c : nullptr;
      if (soft) {
        mass = 0;
        for (int64_t j = 0; j < c; ++j) mass += p[j];
      }
      for (int64_t j = 0; j < c; ++j) {
        const double sm = std::exp(static_cast<double>(row[j]) - lse);
        const double hit = soft ? static_cast<double>(p[j])
                                : (j == target.data<int64_t>()[i] ? 1.0 : 0.0);
        out[i * c + j] = static_cast<T>(static_cast<double>(gp[i]) * (sm * mass - hit));
      }
    }
  });
  return grad;
}

std::vector<Tensor> cross_entropy_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor x = n.saved(0), target = n.saved(1);
  const bool soft = n.flags[0];
  if (x.dtype() == DType::float32) return {cross_entropy_grad<float>(x, g, target, soft), Tensor()};
  return {cross_entropy_grad<double>(x, g, target, soft), Tensor()};
}

template <class T>
void cross_entropy_rows(const Tensor& x, const Tensor& target, bool soft, const Tensor& out) {
  const int64_t n = x.size(0), c = x.size(1);
  const T* xp = x.data<T>();
  T* o = out.data<T>();
  parallel_for(n, std::max<int64_t>(1, kRowGrain / c), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T* row = xp + i * c;
      const double lse = log_sum_exp(row, c);
      if (soft) {
        const T* p = target.data<T>() + i * c;
        double mass = 0, dot = 0;
        for (int64_t j = 0; j < c; ++j) {
          mass += p[j];
          dot += static_cast<double>(p[j]) * row[j];
        }
        o[i] = static_cast<T>(lse * mass - dot);
      } else {
        o[i] = static_cast<T>(lse - row[target.data<int64_t>()[i]]);
      }
    }
  });
}

Tensor cross_entropy_impl(const char* op, const Tensor& logits, const Tensor& target_in,
                          bool soft) {
  check_logits(op, logits);
  const int64_t n = logits.size(0), c = logits.size(1);
  Tensor target;
  if (soft) {
    NNC_CHECK(target_in.shape() == logits.shape(), std::invalid_argument,
              "%s: target probabilities of shape %s do not match logits of shape %s", op,
              shape_str(target_in.shape()).c_str(), shape_str(logits.shape()).c_str());
    if (target_in.dtype() != logits.dtype())
      throw dtype_error(format_message("%s: dtype mismatch between logits (%s) and target (%s)",
                                       op, describe(logits).c_str(),
                                       describe(target_in).c_str()));
    target = target_in.contiguous();
  } else {
    target = checked_targets(op, target_in, n, c);
  }
  const Tensor x = logits.contiguous();
  Tensor out = Tensor::empty(Dims{n}, logits.dtype());
  if (x.dtype() == DType::float32) cross_entropy_rows<float>(x, target, soft, out);
  else cross_entropy_rows<double>(x, target, soft, out);
  if (should_record(logits)) {
    FormulaNode& node = record("CrossEntropyBackward", cross_entropy_backward,
                               {&logits, &target_in}, out);
    node.save(x);
    node.save(target);
    node.flags[0] = soft;
  }
  return out;
}

}  // namespace

Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& target) {
  return cross_entropy_impl("cross_entropy", logits, target, false);
}

Tensor softmax_cross_entropy_soft(const Tensor& logits, const Tensor& target) {
  return cross_entropy_impl("cross_entropy", logits, target, true);
}

}  // namespace nncore
