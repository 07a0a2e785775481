// Backward of linear (ops/linear.cpp): with g the output gradient folded to 2-d rows,
// dx = g @ w^T, dw = x^T @ g, dbias = column sums of g; each only when its input needs it.
#include "autograd/formula_node.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

std::vector<Tensor> linear_backward(const FormulaNode& n, const Tensor& g_in) {
  const Tensor x = n.saved(0), w = n.saved(1);
  const int64_t k = w.size(0), out_features = w.size(1);
  int64_t m = 1;
  for (int d = 0; d + 1 < x.ndim(); ++d) m *= x.size(d);
  const Tensor g = g_in.reshape(Dims{m, out_features});
  Tensor gx, gw, gb;
  if (n.next_edges()[0].node) gx = matmul(g, w.transpose(0, 1)).reshape(x.shape());
  if (n.next_edges()[1].node) gw = matmul(x.reshape(Dims{m, k}).transpose(0, 1), g);
  if (n.next_edges()[2].node) gb = reduce(ReduceOp::sum, g, Dims{0}, false);
  return {gx, gw, gb};
}

}  // namespace

Tensor record_linear(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor out) {
  if (!(requires_grad(x) || requires_grad(w) || (bias.defined() && requires_grad(bias))) ||
      !grad_enabled())
    return out;
  FormulaNode& node = record("LinearBackward", linear_backward, {&x, &w, &bias}, out);
  node.save(x);
  node.save(w);
  return out;
}

}  // namespace nncore
