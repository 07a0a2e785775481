// Backward of the pooling ops (ops/pool_max.cpp, ops/pool_avg.cpp): max pooling routes
// each output gradient to its saved argmax; average pooling spreads it evenly over its
// window (the divisor recomputed from the saved options).
#include "autograd/formula_node.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

std::vector<Tensor> max_pool2d_backward_formula(const FormulaNode& n, const Tensor& g) {
  return {max_pool2d_backward(g, n.saved(0), n.shape[0][1], n.shape[0][2])};
}

PoolOptions pool_options_of(const FormulaNode& n) {
  const Dims& d = n.dims;
  PoolOptions o;
  o.kernel_h = d[0];
  o.kernel_w = d[1];
  o.stride_h = d[2];
  o.stride_w = d[3];
  o.pad_top = d[4];
  o.pad_bottom = d[5];
  o.pad_left = d[6];
  o.pad_right = d[7];
  o.ceil_mode = d[8] != 0;
  o.count_include_pad = d[9] != 0;
  o.divisor_override = d[10];
  return o;
}

std::vector<Tensor> avg_pool2d_backward_formula(const FormulaNode& n, const Tensor& g) {
  return {avg_pool2d_backward(g, n.shape[0][1], n.shape[0][2], pool_options_of(n))};
}

std::vector<Tensor> adaptive_avg_pool2d_backward_formula(const FormulaNode& n,
                                                         const Tensor& g) {
  return {adaptive_avg_pool2d_backward(g, n.shape[0][1], n.shape[0][2])};
}

}  // namespace

Tensor record_max_pool2d(const Tensor& x, const Tensor& indices, Tensor out) {
  if (!should_record(x)) return out;
  FormulaNode& node = record("MaxPool2dBackward", max_pool2d_backward_formula, {&x}, out);
  node.shape[0] = x.shape();
  node.save(indices);
  return out;
}

Tensor record_avg_pool2d(const Tensor& x, const PoolOptions& o, Tensor out) {
  if (!should_record(x)) return out;
  FormulaNode& node = record("AvgPool2dBackward", avg_pool2d_backward_formula, {&x}, out);
  node.shape[0] = x.shape();
  node.dims = Dims{o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.pad_top, o.pad_bottom,
                   o.pad_left, o.pad_right, o.ceil_mode ? 1 : 0, o.count_include_pad ? 1 : 0,
                   o.divisor_override};
  return out;
}

Tensor record_adaptive_avg_pool2d(const Tensor& x, Tensor out) {
  if (!should_record(x)) return out;
  FormulaNode& node =
      record("AdaptiveAvgPool2dBackward", adaptive_avg_pool2d_backward_formula, {&x}, out);
  node.shape[0] = x.shape();
  return out;
}

}  // namespace nncore
