// matmul with NumPy's semantics, on top of gemm (gemm.hpp).
//
// Operands keep their strides: a transposed or sliced view goes to gemm as-is, and gemm's
// packing reads it in place. Batch dims broadcast; 1-d operands are promoted to a matrix and
// the added dim is removed from the result.
#include <algorithm>
#include <stdexcept>

#include "nncore/errors.hpp"
#include "nncore/gemm.hpp"
#include "nncore/ops.hpp"
#include "nncore/parallel.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

// Below this many multiply-adds per matrix, batches run in parallel (each gemm single
// threaded) instead of threading inside each gemm.
constexpr int64_t kSmallGemm = 64 * 64 * 64;

template <class T>
void batched_gemm(const Tensor& a, const Tensor& b, const Tensor& out, int64_t batch) {
  const int nd = out.ndim();
  const int64_t m = out.size(nd - 2), n = out.size(nd - 1), k = a.size(nd - 1);
  Dims batch_shape;
  for (int d = 0; d < nd - 2; ++d) batch_shape.push_back(out.size(d));
  auto offsets = [&](int64_t index, int64_t& oa, int64_t& ob, int64_t& oc) {
    oa = ob = oc = 0;
    for (int d = nd - 3; d >= 0; --d) {
      const int64_t i = index % batch_shape[d];
      index /= batch_shape[d];
      oa += i * a.strides()[d];
      ob += i * b.strides()[d];
      oc += i * out.strides()[d];
    }
  };
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* pc = out.data<T>();
  const int64_t rsa = a.strides()[nd - 2], csa = a.strides()[nd - 1];
  const int64_t rsb = b.strides()[nd - 2], csb = b.strides()[nd - 1];
  const int64_t rsc = out.strides()[nd - 2], csc = out.strides()[nd - 1];
  auto one = [&](int64_t index) {
    int64_t oa, ob, oc;
    offsets(index, oa, ob, oc);
    gemm(m, n, k, T(1), pa + oa, rsa, csa, pb + ob, rsb, csb, T(0), pc + oc, rsc, csc);
  };
  if (batch > 1 && m * n * k < kSmallGemm) {
    const int64_t grain = std::max<int64_t>(1, kSmallGemm / std::max<int64_t>(1, m * n * k));
    parallel_for(batch, grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) one(i);
    });
  } else {
    for (int64_t i = 0; i < batch; ++i) one(i);
  }
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  NNC_CHECK(a_in.defined() && b_in.defined(), std::invalid_argument, "matmul: undefined tensor");
  if (a_in.dtype() != b_in.dtype())
    throw dtype_error(format_message("matmul: dtype mismatch between %s and %s",
                                     describe(a_in).c_str(), describe(b_in).c_str()));
  if (!is_floating(a_in.dtype()))
    throw dtype_error(format_message("matmul: requires float32 or float64, got %s and %s",
                                     describe(a_in).c_str(), describe(b_in).c_str()));
  NNC_CHECK(a_in.ndim() >= 1 && b_in.ndim() >= 1, std::invalid_argument,
            "matmul: both operands need at least 1 dimension, got shapes %s and %s",
            shape_str(a_in.shape()).c_str(), shape_str(b_in.shape()).c_str());
  const bool a_vec = a_in.ndim() == 1, b_vec = b_in.ndim() == 1;
  const Tensor a = a_vec ? a_in.unsqueeze(0) : a_in;
  const Tensor b = b_vec ? b_in.unsqueeze(1) : b_in;
  const int64_t m = a.size(a.ndim() - 2), k = a.size(a.ndim() - 1);
  const int64_t k2 = b.size(b.ndim() - 2), n = b.size(b.ndim() - 1);
  NNC_CHECK(k == k2, std::invalid_argument,
            "matmul: shapes %s and %s are not aligned (inner dimensions %lld and %lld differ; "
            "dtype %s)", shape_str(a_in.shape()).c_str(), shape_str(b_in.shape()).c_str(),
            static_cast<long long>(k), static_cast<long long>(k2), dtype_name(a_in.dtype()));
  Dims batch_a, batch_b;
  for (int d = 0; d + 2 < a.ndim(); ++d) batch_a.push_back(a.size(d));
  for (int d = 0; d + 2 < b.ndim(); ++d) batch_b.push_back(b.size(d));
  Dims shape = broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t batch = shape.product();
  Dims shape_a = shape, shape_b = shape;
  shape_a.push_back(m);
  shape_a.push_back(k);
  shape_b.push_back(k);
  shape_b.push_back(n);
  shape.push_back(m);
  shape.push_back(n);
  Tensor out = Tensor::empty(shape, a.dtype());
  const Tensor ea = a.expand(shape_a), eb = b.expand(shape_b);
  if (out.numel() > 0) {
    if (a.dtype() == DType::float32) batched_gemm<float>(ea, eb, out, batch);
    else batched_gemm<double>(ea, eb, out, batch);
  }
  Tensor result = out;
  if (a_vec) result = result.squeeze(result.ndim() - 2);
  if (b_vec) result = result.squeeze(result.ndim() - 1);
  return record_matmul(a_in, b_in, std::move(result));
}

}  // namespace nncore
