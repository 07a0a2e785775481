// Softmax and log-softmax over any axis, and their backward.
//
// The input is made contiguous and seen as (outer, n, inner) with n along the axis. When
// inner == 1 every row is contiguous and one kernel call handles it; otherwise the kernel
// handles slabs of up to kSoftmaxMaxCols neighbouring columns, reducing along the axis with
// vector loads across columns. Each output element is computed by exactly one work item in
// a fixed order, so results are identical for any number of threads.
#include <stdexcept>

#include "autograd/formula_node.hpp"
#include "nncore/activations.hpp"
#include "nncore/autograd.hpp"
#include "nncore/errors.hpp"
#include "nncore/parallel.hpp"
#include "ops/activation_kernels.hpp"

namespace nncore {
namespace {

// Elements per parallel chunk (a chunk is a run of whole rows or slabs).
constexpr int64_t kSoftmaxGrain = 8192;

struct SoftmaxPlan {
  int64_t outer = 1, n = 1, inner = 1;
};

SoftmaxPlan plan_for(const Dims& shape, int axis) {
  SoftmaxPlan p;
  if (shape.size() == 0) return p;  // a 0-d tensor is one row of one element
  for (int d = 0; d < axis; ++d) p.outer *= shape[d];
  p.n = shape[axis];
  for (int d = axis + 1; d < shape.size(); ++d) p.inner *= shape[d];
  return p;
}

// fn(n, cols, ld, element offset of the slab) for every row or slab, in parallel.
template <class Fn>
void for_each_slab(const SoftmaxPlan& p, Fn&& fn) {
  if (p.outer * p.n * p.inner == 0) return;
  if (p.inner == 1) {
    const int64_t grain = p.n >= kSoftmaxGrain ? 1 : kSoftmaxGrain / p.n;
    parallel_for(p.outer, grain, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) fn(p.n, int64_t{1}, int64_t{1}, r * p.n);
    });
    return;
  }
  const int64_t blocks = ceil_div(p.inner, kSoftmaxMaxCols);
  const int64_t slab = p.n * (p.inner < kSoftmaxMaxCols ? p.inner : kSoftmaxMaxCols);
  const int64_t grain = slab >= kSoftmaxGrain ? 1 : kSoftmaxGrain / slab;
  parallel_for(p.outer * blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t o = item / blocks, j0 = (item % blocks) * kSoftmaxMaxCols;
      const int64_t cols = p.inner - j0 < kSoftmaxMaxCols ? p.inner - j0 : kSoftmaxMaxCols;
      fn(p.n, cols, p.inner, o * p.n * p.inner + j0);
    }
  });
}

std::vector<Tensor> softmax_backward(const FormulaNode& node, const Tensor& grad) {
  const Tensor y = node.saved(0);  // the output, contiguous
  const Tensor g = grad.contiguous();
  const bool log = node.flags[0];
  const SoftmaxPlan p = plan_for(y.shape(), static_cast<int>(node.ints[0]));
  Tensor gx = Tensor::empty(y.shape(), y.dtype());
  const int d = y.dtype() == DType::float32 ? 0 : 1;
  SoftmaxBackwardKernel kernel = activation_kernels().softmax_backward[d];
  const size_t size = y.itemsize();
  const char* yp = static_cast<const char*>(y.data_ptr());
  const char* gp = static_cast<const char*>(g.data_ptr());
  char* gxp = static_cast<char*>(gx.data_ptr());
  for_each_slab(p, [&](int64_t n, int64_t cols, int64_t ld, int64_t off) {
    kernel(n, cols, ld, yp + off * size, gp + off * size, gxp + off * size, log);
  });
  return {gx};
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t axis, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  NNC_CHECK(x.defined(), std::invalid_argument, "%s: undefined tensor", name);
  if (!is_floating(x.dtype()))
    throw dtype_error(format_message("%s: not supported for %s (needs float32 or float64)",
                                     name, describe(x).c_str()));
  const int ax = normalize_axis(axis, x.ndim(), name);
  const Tensor xc = x.contiguous();
  const SoftmaxPlan p = plan_for(x.shape(), ax);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const int d = x.dtype() == DType::float32 ? 0 : 1;
  SoftmaxForwardKernel kernel = activation_kernels().softmax_forward[d];
  const size_t size = x.itemsize();
  const char* xp = static_cast<const char*>(xc.data_ptr());
  char* yp = static_cast<char*>(out.data_ptr());
  for_each_slab(p, [&](int64_t n, int64_t cols, int64_t ld, int64_t off) {
    kernel(n, cols, ld, xp + off * size, yp + off * size, log);
  });
  if (!should_record(x)) return out;
  FormulaNode& node = record(log ? "LogSoftmaxBackward" : "SoftmaxBackward", softmax_backward,
                             {&x}, out);
  node.save(out);
  node.ints[0] = ax;
  node.flags[0] = log;
  return out;
}

}  // namespace nncore
