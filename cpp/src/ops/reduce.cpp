// Reductions over any set of axes: sum, mean, max, min, var, argmax, argmin.
//
// The input is seen as kept dims K and reduced dims R. Two strategies:
//  - rows: each output folds its R elements, walked in fixed blocks of kReduceBlock
//    elements whose partial results are combined in block order. Work items are
//    (output, block) pairs, so a full reduction of a large tensor is parallel too, and
//    the result is the same for any thread count.
//  - columns: when the innermost memory dim is kept (a sum over the batch axis, say), each
//    input row is folded into a run of outputs at once, which vectorises across outputs.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <stdexcept>
#include <memory>

#include "nncore/dispatch.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"
#include "nncore/parallel.hpp"
#include "ops/reduce_kernels.hpp"
#include "autograd/record.hpp"

namespace nncore {

const ReduceKernels& reduce_kernels() {
  static const ReduceKernels table = build_for_active_isa<ReduceKernels>(
      fill_reduce_kernels_generic, fill_reduce_kernels_avx2, fill_reduce_kernels_avx512);
  return table;
}

namespace {

constexpr int64_t kReduceBlock = 65536;
constexpr int64_t kReduceGrain = 32768;  // elements of input per parallel chunk
constexpr int64_t kColumnBlock = 512;

const char* reduce_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::mean: return "mean";
    case ReduceOp::max: return "max";
    default: return "min";
  }
}

int reduce_kind(ReduceOp op) {
  return op == ReduceOp::max ? 1 : op == ReduceOp::min ? 2 : 0;
}

// A group of dims, with adjacent dims merged where memory allows.
struct DimGroup {
  int n = 0;
  int64_t size[kMaxDims];
  int64_t stride[kMaxDims];
  int64_t numel = 1;

  void add(int64_t sz, int64_t st) {
    numel *= sz;
    if (sz == 1) return;
    if (n > 0 && stride[n - 1] == st * sz) {
      size[n - 1] *= sz;
      stride[n - 1] = st;
      return;
    }
    size[n] = sz;
    stride[n] = st;
    ++n;
  }
  // Element offset of the flat index `flat` (row-major over this group).
  int64_t offset_of(int64_t flat) const {
    int64_t off = 0;
    for (int d = n - 1; d >= 0; --d) {
      off += (flat % size[d]) * stride[d];
      flat /= size[d];
    }
    return off;
  }
};

template <class Acc>
Acc combine(int kind, Acc a, Acc b) {
  if (kind == 0) return a + b;
  if (kind == 1) return (a > b || a != a) ? a : b;
  return (a < b || a != a) ? a : b;
}

template <class T, class Acc, class Out>
void reduce_typed(int kind, bool mean, const Tensor& a, const DimGroup& K, const DimGroup& R,
                  const Tensor& out) {
  const ReduceKernels& table = reduce_kernels();
  const int di = static_cast<int>(a.dtype());
  const T* x = a.data<T>();
  Out* y = out.data<Out>();
  const int64_t O = K.numel, Rn = R.numel;
  const double scale = mean ? 1.0 / static_cast<double>(Rn) : 1.0;
  auto finish = [&](Acc acc) -> Out {
    if (mean) return static_cast<Out>(static_cast<double>(acc) * scale);
    return static_cast<Out>(acc);
  };
  // Starts `len` column accumulators from the first row `row0`: zeros for a sum (which
  // then adds every row), the row itself for max / min. Returns the first row left to add.
  auto start_columns = [&](const T* row0, int64_t len, Acc* acc) -> int64_t {
    if (kind == 0) {
      std::fill(acc, acc + len, Acc(0));
      return 0;
    }
    for (int64_t j = 0; j < len; ++j) acc[j] = static_cast<Acc>(row0[j]);
    return 1;
  };

  // A contiguous (Rn x C) matrix reduced over its rows with fewer than 8 columns (the bias
  // gradient of a conv with few channels, summed over every NHWC pixel): seen as rows of
  // m * C elements (m whole rows each), the column kernel runs at full vector width, and
  // the m partial results of each column are combined in order at the end. One thread:
  // the result does not depend on the thread count.
  const int64_t narrow_m = K.n == 1 && K.size[0] > 0 ? ceil_div(256, K.size[0]) : 0;
  if (K.n == 1 && K.stride[0] == 1 && K.size[0] < 8 && R.n == 1 && R.stride[0] == K.size[0] &&
      Rn >= narrow_m) {  // at least one wide row
    ReduceColsKernel cols = table.cols[kind][di];
    const int64_t C = K.size[0], m = narrow_m, L = m * C, wide = Rn / m;
    std::unique_ptr<Acc[]> acc(new Acc[static_cast<size_t>(L)]);
    for (int64_t r = start_columns(x, L, acc.get()); r < wide; ++r) cols(x + r * L, L, acc.get());
    for (int64_t c = 0; c < C; ++c) {
      Acc v = acc[c];
      for (int64_t i = 1; i < m; ++i) v = combine(kind, v, acc[i * C + c]);
      for (int64_t r = wide * m; r < Rn; ++r) v = combine(kind, v, static_cast<Acc>(x[r * C + c]));
      y[c] = finish(v);
    }
    return;
  }

  const bool column_path = K.n > 0 && K.stride[K.n - 1] == 1 && K.size[K.n - 1] >= 8 &&
                           R.n > 0 && Rn > 1;
  if (column_path) {
    ReduceColsKernel cols = table.cols[kind][di];
    const int64_t C = K.size[K.n - 1];
    DimGroup outer;  // K without its last dim
    for (int d = 0; d + 1 < K.n; ++d) outer.add(K.size[d], K.stride[d]);
    const int64_t nblocks = ceil_div(C, kColumnBlock);
    const int64_t grain = std::max<int64_t>(1, kReduceGrain / (Rn * std::min(C, kColumnBlock)));
    parallel_for(outer.numel * nblocks, grain, [&](int64_t begin, int64_t end) {
      std::unique_ptr<Acc[]> acc(new Acc[kColumnBlock]);
      for (int64_t item = begin; item < end; ++item) {
        const int64_t oo = item / nblocks, j0 = (item % nblocks) * kColumnBlock;
        const int64_t len = std::min(kColumnBlock, C - j0);
        const T* base = x + outer.offset_of(oo) + j0;
        for (int64_t r = start_columns(base, len, acc.get()); r < Rn; ++r) cols(base + R.offset_of(r), len, acc.get());
        Out* dst = y + oo * C + j0;
        for (int64_t j = 0; j < len; ++j) dst[j] = finish(acc[j]);
      }
    });
    return;
  }

  ReduceRowKernel row = table.row[kind][di];
  const int64_t nblocks = Rn == 0 ? 1 : ceil_div(Rn, kReduceBlock);
  const int64_t inner = R.n > 0 ? R.size[R.n - 1] : 1;
  const int64_t inner_stride = R.n > 0 ? R.stride[R.n - 1] : 1;
  std::unique_ptr<Acc[]> partial(new Acc[static_cast<size_t>(O * nblocks)]);
  const int64_t grain = std::max<int64_t>(1, kReduceGrain / std::max<int64_t>(1, std::min(Rn, kReduceBlock)));
  parallel_for(O * nblocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t o = item / nblocks, b = item % nblocks;
      const T* base = x + K.offset_of(o);
      const int64_t r_begin = b * kReduceBlock, r_end = std::min(Rn, r_begin + kReduceBlock);
      Acc acc = kind == 0 || Rn == 0 ? Acc(0) : static_cast<Acc>(base[R.offset_of(r_begin)]);
      for (int64_t r = r_begin; r < r_end;) {
        const int64_t in_row = r % inner;
        const int64_t n = std::min(inner - in_row, r_end - r);
        row(base + R.offset_of(r), n, inner_stride, &acc);
        r += n;
      }
      partial[item] = acc;
    }
  });
  for (int64_t o = 0; o < O; ++o) {
    Acc acc = partial[o * nblocks];
    for (int64_t b = 1; b < nblocks; ++b) acc = combine(kind, acc, partial[o * nblocks + b]);
    y[o] = finish(acc);
  }
}

Tensor reduce_masked_raw(ReduceOp op, const Tensor& a, const bool* mask, bool keepdims) {
  const char* name = reduce_name(op);
  NNC_CHECK(a.defined(), std::invalid_argument, "%s: undefined tensor", name);
  const bool floating = is_floating(a.dtype());
  if (op == ReduceOp::mean && !floating)
    throw dtype_error(format_message("mean: requires a floating dtype, got %s",
                                     describe(a).c_str()));
  DimGroup K, R;
  Dims out_shape;
  for (int d = 0; d < a.ndim(); ++d) {
    if (mask[d]) {
      R.add(a.size(d), a.strides()[d]);
      if (keepdims) out_shape.push_back(1);
    } else {
      K.add(a.size(d), a.strides()[d]);
      out_shape.push_back(a.size(d));
    }
  }
  if ((op == ReduceOp::max || op == ReduceOp::min) && R.numel == 0 && K.numel > 0)
    throw std::invalid_argument(format_message(
        "%s: cannot reduce over a zero-size dimension of %s (no identity)", name,
        describe(a).c_str()));
  const bool integer_sum = (op == ReduceOp::sum) && !floating;
  Tensor out = Tensor::empty(out_shape, integer_sum ? DType::int64 : a.dtype());
  if (K.numel == 0) return out;
  const int kind = reduce_kind(op);
  const bool mean = op == ReduceOp::mean;
  visit_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_floating_point_v<T>) {
      if (kind == 0) reduce_typed<T, double, T>(kind, mean, a, K, R, out);
      else reduce_typed<T, T, T>(kind, mean, a, K, R, out);
    } else {
      if (kind == 0) reduce_typed<T, int64_t, int64_t>(kind, false, a, K, R, out);
      else reduce_typed<T, T, T>(kind, false, a, K, R, out);
    }
  });
  return out;
}

Tensor reduce_masked(ReduceOp op, const Tensor& a, const bool* mask, bool keepdims) {
  return record_reduce(op, a, mask, keepdims, reduce_masked_raw(op, a, mask, keepdims));
}

void axes_mask(const Tensor& a, const Dims& axes, const char* op, bool* mask) {
  for (int d = 0; d < kMaxDims; ++d) mask[d] = false;
  for (int i = 0; i < axes.size(); ++i) {
    const int d = normalize_axis(axes[i], a.ndim(), op);
    NNC_CHECK(!mask[d], std::invalid_argument, "%s: dimension %d appears twice in %s", op, d,
              shape_str(axes).c_str());
    if (a.ndim() > 0) mask[d] = true;
  }
}

}  // namespace

Tensor reduce(ReduceOp op, const Tensor& a, const Dims& axes, bool keepdims) {
  bool mask[kMaxDims];
  axes_mask(a, axes, reduce_name(op), mask);
  return reduce_masked(op, a, mask, keepdims);
}

Tensor reduce_all(ReduceOp op, const Tensor& a, bool keepdims) {
  bool mask[kMaxDims];
  for (int d = 0; d < kMaxDims; ++d) mask[d] = true;
  return reduce_masked(op, a, mask, keepdims);
}

Tensor var(const Tensor& a, const Dims& axes, bool all_axes, int64_t correction, bool keepdims) {
  NNC_CHECK(a.defined(), std::invalid_argument, "var: undefined tensor");
  if (!is_floating(a.dtype()))
    throw dtype_error(format_message("var: requires a floating dtype, got %s",
                                     describe(a).c_str()));
  bool mask[kMaxDims];
  if (all_axes) {
    for (int d = 0; d < kMaxDims; ++d) mask[d] = true;
  } else {
    axes_mask(a, axes, "var", mask);
  }
  int64_t count = 1;
  for (int d = 0; d < a.ndim(); ++d)
    if (mask[d]) count *= a.size(d);
  // Two passes (mean, then squared deviations) for accuracy.
  const Tensor mu = reduce_masked(ReduceOp::mean, a, mask, true);
  const Tensor dev = binary(BinaryOp::sub, a, mu);
  const Tensor sq = reduce_masked(ReduceOp::sum, binary(BinaryOp::mul, dev, dev), mask, keepdims);
  const Tensor denom = full(Dims{}, static_cast<double>(count - correction), a.dtype());
  return binary(BinaryOp::div, sq, denom);
}

namespace {

template <class T, bool IsMax>
void arg_extreme_typed(const Tensor& a, int axis, const Tensor& out) {
  const int64_t n = a.size(axis), stride = a.strides()[axis];
  DimGroup K;
  for (int d = 0; d < a.ndim(); ++d)
    if (d != axis) K.add(a.size(d), a.strides()[d]);
  const T* x = a.data<T>();
  int64_t* y = out.data<int64_t>();
  parallel_for(K.numel, std::max<int64_t>(1, kReduceGrain / std::max<int64_t>(n, 1)),
               [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      const T* p = x + K.offset_of(o);
      int64_t best_i = 0;
      T best = p[0];
      for (int64_t i = 1; i < n && best == best; ++i) {  // the first NaN wins
        const T v = p[i * stride];
        if (IsMax ? (v > best || v != v) : (v < best || v != v)) {
          best = v;
          best_i = i;
        }
      }
      y[o] = best_i;
    }
  });
}

Tensor arg_extreme(const Tensor& a_in, int64_t axis_in, bool all, bool keepdims, bool is_max) {
  const char* name = is_max ? "argmax" : "argmin";
  NNC_CHECK(a_in.defined(), std::invalid_argument, "%s: undefined tensor", name);
  const Tensor a = all ? a_in.reshape(Dims{-1}) : a_in;
  const int axis = a.ndim() == 0 ? 0 : normalize_axis(axis_in, a.ndim(), name);
  const Tensor src = a.ndim() == 0 ? a.reshape(Dims{1}) : a;
  NNC_CHECK(src.size(axis) > 0, std::invalid_argument,
            "%s: cannot take the %s of an empty dimension of %s", name, name,
            describe(a_in).c_str());
  Dims out_shape;
  if (all) {
    if (keepdims) out_shape = Dims::filled(a_in.ndim(), 1);
  } else {
    for (int d = 0; d < a.ndim(); ++d) {
      if (d != axis) out_shape.push_back(a.size(d));
      else if (keepdims) out_shape.push_back(1);
    }
  }
  Tensor out = Tensor::empty(out_shape, DType::int64);
  if (out.numel() == 0) return out;
  visit_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (is_max) arg_extreme_typed<T, true>(src, axis, out);
    else arg_extreme_typed<T, false>(src, axis, out);
  });
  return out;
}

}  // namespace

Tensor argmax(const Tensor& a, int64_t axis, bool all, bool keepdims) {
  return arg_extreme(a, axis, all, keepdims, true);
}

Tensor argmin(const Tensor& a, int64_t axis, bool all, bool keepdims) {
  return arg_extreme(a, axis, all, keepdims, false);
}

}  // namespace nncore
