// Tensor ops: the engine's functional API.
//
// Every op checks its inputs (shapes, dtypes) and throws with a message naming the op, the
// shapes and the dtypes; then allocates its output and runs its kernel. Binary ops
// broadcast like NumPy. Both inputs of an op must have the same dtype: nothing upcasts.
// Ops run in parallel above a size threshold, and results do not depend on the thread
// count.
#pragma once

#include <cstdint>

#include "nncore/tensor.hpp"

namespace nncore {

// ---- elementwise (ops/elementwise.cpp) ----
enum class BinaryOp : uint8_t { add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge };
constexpr int kNumBinaryOps = 13;
enum class UnaryOp : uint8_t { neg, exp, log, sqrt, abs };
constexpr int kNumUnaryOps = 5;

const char* op_name(BinaryOp op);
const char* op_name(UnaryOp op);

// Comparisons return bool tensors; the rest keep the input dtype.
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
Tensor unary(UnaryOp op, const Tensor& a);
// Clamps into [lo, hi]; a bound is ignored when its flag is false.
Tensor clip(const Tensor& a, bool has_lo, double lo, bool has_hi, double hi);
// cond ? a : b, broadcasting all three; cond must be bool.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// Writes src into dst (broadcasting src to dst's shape, converting its dtype).
void copy_(const Tensor& dst, const Tensor& src);
// Fills every element of dst with value (converted to dst's dtype).
void fill_(const Tensor& dst, double value);

// Shape two shapes broadcast to; `op` and the dtypes name the caller in the error.
Dims broadcast_shapes(const Dims& a, const Dims& b, const char* op);

// ---- reductions (ops/reduce.cpp) ----
enum class ReduceOp : uint8_t { sum, mean, max, min };

// Reduces over `axes` (all axes when empty and `all` is true). Integer and bool sums
// return int64; mean requires a floating dtype. Max/min propagate NaN.
Tensor reduce(ReduceOp op, const Tensor& a, const Dims& axes, bool keepdims);
Tensor reduce_all(ReduceOp op, const Tensor& a, bool keepdims);
// Variance with `correction` subtracted from the count (1: unbiased, like PyTorch's default).
Tensor var(const Tensor& a, const Dims& axes, bool all_axes, int64_t correction, bool keepdims);
// Index of the first maximum along `axis` (flattened when all is true); int64. NaN counts
// as the maximum, like NumPy.
Tensor argmax(const Tensor& a, int64_t axis, bool all, bool keepdims);
Tensor argmin(const Tensor& a, int64_t axis, bool all, bool keepdims);

// ---- linear algebra (ops/matmul.cpp) ----
// NumPy's matmul: 1-d operands are promoted and the added dim removed afterwards; batch
// dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
// x @ w + bias with w of shape (in, out) (Keras's Dense layout) and an optional (undefined)
// bias; leading dims of x are batch dims (ops/linear.cpp).
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias);

// ---- differentiable views and copies (autograd/views.cpp) ----
// The same as the Tensor methods of the same names, but recorded for autograd.
Tensor reshape(const Tensor& a, const Dims& shape);
Tensor view(const Tensor& a, const Dims& shape);
Tensor permute(const Tensor& a, const Dims& dims);
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1);
Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t stop, int64_t step);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor squeeze(const Tensor& a);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor expand(const Tensor& a, const Dims& shape);
Tensor contiguous(const Tensor& a);
Tensor clone(const Tensor& a);
Tensor to_dtype(const Tensor& a, DType dtype);

// ---- gathering by index (ops/index.cpp) ----
// Entries of `a` at positions `index` (int64 or int32, 1-d, negative counts from the end)
// along `dim`; differentiable in `a`.
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
// dst[..., index[i], ...] += src[..., i, ...] along dim, in index order (deterministic).
void index_add_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src);
// Flat positions of the true elements of a bool tensor, as int64.
Tensor nonzero_flat(const Tensor& mask);

// ---- creation (ops/creation.cpp) ----
Tensor full(const Dims& shape, double value, DType dtype);
Tensor arange(double start, double stop, double step, DType dtype);
Tensor eye(int64_t n, int64_t m, DType dtype);
// Uniform in [0, 1) and standard normal, from the global Philox stream (random.hpp).
Tensor rand(const Dims& shape, DType dtype);
Tensor randn(const Dims& shape, DType dtype);

}  // namespace nncore
