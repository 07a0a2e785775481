// Elementwise ops: argument checks, broadcasting and dispatch to the ISA's kernel table.
#include <cstring>
#include <stdexcept>

#include "nncore/dispatch.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"
#include "ops/elementwise_kernels.hpp"
#include "ops/strided_loop.hpp"
#include "autograd/record.hpp"

namespace nncore {

const ElementwiseKernels& elementwise_kernels() {
  static const ElementwiseKernels table = build_for_active_isa<ElementwiseKernels>(
      fill_elementwise_kernels_generic, fill_elementwise_kernels_avx2,
      fill_elementwise_kernels_avx512);
  return table;
}

const char* op_name(BinaryOp op) {
  static const char* names[kNumBinaryOps] = {"add", "sub", "mul", "div", "pow",
                                             "maximum", "minimum", "eq", "ne", "lt",
                                             "le", "gt", "ge"};
  return names[static_cast<int>(op)];
}

const char* op_name(UnaryOp op) {
  static const char* names[kNumUnaryOps] = {"neg", "exp", "log", "sqrt", "abs"};
  return names[static_cast<int>(op)];
}

Dims broadcast_shapes(const Dims& a, const Dims& b, const char* op) {
  const int n = a.size() > b.size() ? a.size() : b.size();
  Dims out = Dims::filled(n, 1);
  for (int i = 0; i < n; ++i) {
    const int ia = i - (n - a.size()), ib = i - (n - b.size());
    const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    NNC_CHECK(da == db || da == 1 || db == 1, std::invalid_argument,
              "%s: shapes %s and %s cannot be broadcast together", op, shape_str(a).c_str(),
              shape_str(b).c_str());
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  NNC_CHECK(a.defined() && b.defined(), std::invalid_argument, "%s: undefined tensor", op);
  if (a.dtype() != b.dtype())
    throw dtype_error(format_message(
        "%s: dtype mismatch between %s and %s (convert one with .to(dtype))", op,
        describe(a).c_str(), describe(b).c_str()));
}

[[noreturn]] void unsupported(const char* op, const Tensor& a) {
  throw dtype_error(
      format_message("%s: not supported for %s", op, describe(a).c_str()));
}

// Grain for ops whose per-element cost is much higher than an add.
int64_t grain_for(UnaryOp op) {
  return (op == UnaryOp::exp || op == UnaryOp::log) ? kElementwiseGrain / 4 : kElementwiseGrain;
}

}  // namespace

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = op_name(op);
  check_same_dtype(name, a, b);
  BinaryKernel kernel = elementwise_kernels().binary[static_cast<int>(op)][static_cast<int>(a.dtype())];
  if (kernel == nullptr) unsupported(name, a);
  const bool same_shape = a.shape() == b.shape();
  const Dims shape = same_shape ? a.shape() : broadcast_shapes(a.shape(), b.shape(), name);
  const bool comparison = op >= BinaryOp::eq;
  Tensor out = Tensor::empty(shape, comparison ? DType::bool_ : a.dtype());
  if (out.numel() <= kElementwiseGrain) {
    // Small operands that are contiguous (or single scalars): one call, no loop planning.
    const bool a_scalar = a.ndim() == 0, b_scalar = b.ndim() == 0;
    const bool a_flat = a_scalar || (a.shape() == shape && a.is_contiguous());
    const bool b_flat = b_scalar || (b.shape() == shape && b.is_contiguous());
    if (a_flat && b_flat) {
      kernel(out.numel(), out.data_ptr(), 1, a.data_ptr(), a_scalar ? 0 : 1, b.data_ptr(),
             b_scalar ? 0 : 1);
      return record_binary(op, a, b, std::move(out));
    }
  }
  // Expanded views only where needed: copying tensors costs as much as a tiny op.
  Tensor ea, eb;
  const Tensor* pa = &a;
  const Tensor* pb = &b;
  if (a.shape() != shape) pa = &(ea = a.expand(shape));
  if (b.shape() != shape) pb = &(eb = b.expand(shape));
  const Tensor* operands[3] = {&out, pa, pb};
  StridedLoop<3> loop(shape, operands);
  const int64_t grain = op == BinaryOp::pow ? kElementwiseGrain / 8 : kElementwiseGrain;
  loop.run(grain, [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1], p[2], s[2]);
  });
  return record_binary(op, a, b, std::move(out));
}

Tensor unary(UnaryOp op, const Tensor& a) {
  const char* name = op_name(op);
  NNC_CHECK(a.defined(), std::invalid_argument, "%s: undefined tensor", name);
  UnaryKernel kernel = elementwise_kernels().unary[static_cast<int>(op)][static_cast<int>(a.dtype())];
  if (kernel == nullptr) unsupported(name, a);
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  const Tensor* operands[2] = {&out, &a};
  StridedLoop<2> loop(a.shape(), operands);
  loop.run(grain_for(op), [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1]);
  });
  return record_unary(op, a, std::move(out));
}

Tensor clip(const Tensor& a, bool has_lo, double lo, bool has_hi, double hi) {
  NNC_CHECK(a.defined(), std::invalid_argument, "clip: undefined tensor");
  ClipKernel kernel = elementwise_kernels().clip[static_cast<int>(a.dtype())];
  if (kernel == nullptr) unsupported("clip", a);
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  const Tensor* operands[2] = {&out, &a};
  StridedLoop<2> loop(a.shape(), operands);
  loop.run(kElementwiseGrain, [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1], has_lo, lo, has_hi, hi);
  });
  return record_clip(a, has_lo, lo, has_hi, hi, std::move(out));
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_same_dtype("where", a, b);
  if (cond.dtype() != DType::bool_)
    throw dtype_error(format_message("where: condition must be a bool tensor, got %s",
                                     describe(cond).c_str()));
  WhereKernel kernel = elementwise_kernels().where[static_cast<int>(a.dtype())];
  if (kernel == nullptr) unsupported("where", a);
  const Dims shape = broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "where"),
                                      "where");
  Tensor out = Tensor::empty(shape, a.dtype());
  const Tensor ec = cond.expand(shape), ea = a.expand(shape), eb = b.expand(shape);
  const Tensor* operands[4] = {&out, &ec, &ea, &eb};
  StridedLoop<4> loop(shape, operands);
  loop.run(kElementwiseGrain, [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1], p[2], s[2], p[3], s[3]);
  });
  return record_where(cond, a, b, std::move(out));
}

namespace {

// True when the bytes the two tensors reach intersect. Addresses, not storage identity:
// two tensors made from one NumPy array by separate from_numpy calls share memory too.
bool may_overlap(const Tensor& x, const Tensor& y) {
  if (x.numel() == 0 || y.numel() == 0) return false;
  auto range = [](const Tensor& t, uintptr_t& lo, uintptr_t& hi) {
    int64_t first = 0, last = 0;
    for (int i = 0; i < t.ndim(); ++i) {
      const int64_t span = (t.size(i) - 1) * t.strides()[i];
      (span < 0 ? first : last) += span;
    }
    const auto base = reinterpret_cast<uintptr_t>(t.data_ptr());
    const auto size = static_cast<int64_t>(t.itemsize());
    lo = base + first * size;
    hi = base + last * size + size - 1;
  };
  uintptr_t xl, xh, yl, yh;
  range(x, xl, xh);
  range(y, yl, yh);
  return xl <= yh && yl <= xh;
}

}  // namespace

void copy_(const Tensor& dst, const Tensor& src) {
  NNC_CHECK(dst.defined() && src.defined(), std::invalid_argument, "copy: undefined tensor");
  for (int i = 0; i < dst.ndim(); ++i)
    NNC_CHECK(dst.strides()[i] != 0 || dst.size(i) <= 1, std::invalid_argument,
              "copy: cannot write into a broadcast (expanded) %s", describe(dst).c_str());
  const Dims shape = broadcast_shapes(dst.shape(), src.shape(), "copy");
  NNC_CHECK(shape == dst.shape(), std::invalid_argument,
            "copy: cannot broadcast source of shape %s into destination of shape %s",
            shape_str(src.shape()).c_str(), shape_str(dst.shape()).c_str());
  // Overlapping source and destination (t[1:] = t[:-1]) must read before anything is written.
  const bool same_view = dst.data_ptr() == src.data_ptr() && dst.shape() == src.shape() &&
                         dst.strides() == src.strides();
  const Tensor source = (may_overlap(dst, src) && !same_view) ? src.clone() : src;
  UnaryKernel kernel =
      elementwise_kernels().cast[static_cast<int>(source.dtype())][static_cast<int>(dst.dtype())];
  dst.storage()->bump_version();
  const Tensor es = source.expand(shape);
  const Tensor* operands[2] = {&dst, &es};
  StridedLoop<2> loop(shape, operands);
  loop.run(kElementwiseGrain, [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1]);
  });
}

void fill_(const Tensor& dst, double value) {
  // A 0-d float64 tensor broadcast into dst; the cast kernel converts on the way.
  Tensor scalar = Tensor::empty(Dims{}, DType::float64);
  *scalar.data<double>() = value;
  copy_(dst, scalar);
}

}  // namespace nncore
