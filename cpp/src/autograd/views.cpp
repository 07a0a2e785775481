// Differentiable views and copies: the Tensor view methods plus a backward node.
// Gradients of views flow back by undoing the view: reshape back, permute back, sum over
// expanded dims, or scatter into zeros at the sliced positions.
#include "autograd/formula_node.hpp"
#include "nncore/ops.hpp"

namespace nncore {
namespace {

std::vector<Tensor> reshape_backward(const FormulaNode& n, const Tensor& g) {
  return {g.reshape(n.shape[0])};
}

std::vector<Tensor> permute_backward(const FormulaNode& n, const Tensor& g) {
  Dims inverse = n.dims;
  for (int i = 0; i < n.dims.size(); ++i) inverse[static_cast<int>(n.dims[i])] = i;
  return {g.permute(inverse)};
}

std::vector<Tensor> transpose_backward(const FormulaNode& n, const Tensor& g) {
  return {g.transpose(n.ints[0], n.ints[1])};
}

std::vector<Tensor> expand_backward(const FormulaNode& n, const Tensor& g) {
  return {sum_to(g, n.shape[0])};
}

std::vector<Tensor> slice_backward(const FormulaNode& n, const Tensor& g) {
  Tensor grad = full(n.shape[0], 0.0, g.dtype());
  copy_(grad.slice(n.ints[0], n.ints[1], n.ints[2], n.ints[3]), g);
  return {grad};
}

std::vector<Tensor> select_backward(const FormulaNode& n, const Tensor& g) {
  Tensor grad = full(n.shape[0], 0.0, g.dtype());
  copy_(grad.select(n.ints[0], n.ints[1]), g);
  return {grad};
}

std::vector<Tensor> identity_backward(const FormulaNode&, const Tensor& g) { return {g}; }

std::vector<Tensor> to_dtype_backward(const FormulaNode& n, const Tensor& g) {
  return {g.to(n.dtype[0])};
}

// Records a view-like op whose backward only needs the input's shape.
Tensor shaped(const char* name, FormulaNode::Formula formula, const Tensor& a, Tensor out) {
  if (should_record(a)) record(name, formula, {&a}, out).shape[0] = a.shape();
  return out;
}

}  // namespace

Tensor reshape(const Tensor& a, const Dims& shape) {
  return shaped("ReshapeBackward", reshape_backward, a, a.reshape(shape));
}

Tensor view(const Tensor& a, const Dims& shape) {
  return shaped("ViewBackward", reshape_backward, a, a.view(shape));
}

Tensor squeeze(const Tensor& a) { return shaped("SqueezeBackward", reshape_backward, a, a.squeeze()); }

Tensor squeeze(const Tensor& a, int64_t dim) {
  return shaped("SqueezeBackward", reshape_backward, a, a.squeeze(dim));
}

Tensor unsqueeze(const Tensor& a, int64_t dim) {
  return shaped("UnsqueezeBackward", reshape_backward, a, a.unsqueeze(dim));
}

Tensor expand(const Tensor& a, const Dims& shape) {
  return shaped("ExpandBackward", expand_backward, a, a.expand(shape));
}

Tensor permute(const Tensor& a, const Dims& dims) {
  Tensor out = a.permute(dims);
  if (should_record(a)) {
    FormulaNode& node = record("PermuteBackward", permute_backward, {&a}, out);
    for (int i = 0; i < dims.size(); ++i)
      node.dims.push_back(normalize_axis(dims[i], a.ndim(), "permute"));
  }
  return out;
}

Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1) {
  Tensor out = a.transpose(dim0, dim1);
  if (should_record(a)) {
    FormulaNode& node = record("TransposeBackward", transpose_backward, {&a}, out);
    node.ints[0] = dim0;
    node.ints[1] = dim1;
  }
  return out;
}

Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t stop, int64_t step) {
  Tensor out = a.slice(dim, start, stop, step);
  if (should_record(a)) {
    FormulaNode& node = record("SliceBackward", slice_backward, {&a}, out);
    node.shape[0] = a.shape();
    node.ints[0] = dim;
    node.ints[1] = start;
    node.ints[2] = stop;
    node.ints[3] = step;
  }
  return out;
}

Tensor select(const Tensor& a, int64_t dim, int64_t index) {
  Tensor out = a.select(dim, index);
  if (should_record(a)) {
    FormulaNode& node = record("SelectBackward", select_backward, {&a}, out);
    node.shape[0] = a.shape();
    node.ints[0] = dim;
    node.ints[1] = index;
  }
  return out;
}

Tensor contiguous(const Tensor& a) {
  if (a.is_contiguous()) return a;
  return shaped("ContiguousBackward", identity_backward, a, a.clone());
}

Tensor clone(const Tensor& a) { return shaped("CloneBackward", identity_backward, a, a.clone()); }

Tensor to_dtype(const Tensor& a, DType dtype) {
  if (dtype == a.dtype()) return a;
  Tensor out = a.to(dtype);
  if (should_record(a) && is_floating(dtype)) {
    FormulaNode& node = record("ToCopyBackward", to_dtype_backward, {&a}, out);
    node.dtype[0] = a.dtype();
  }
  return out;
}

}  // namespace nncore
