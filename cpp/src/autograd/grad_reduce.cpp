// Backward formulas of reductions and matmul.
#include "autograd/formula_node.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

// The output gradient with the reduced dims put back as size 1 (when keepdims was off).
Tensor with_kept_dims(const FormulaNode& n, const Tensor& g) {
  if (n.flags[0]) return g;
  Tensor out = g;
  for (int i = 0; i < n.dims.size(); ++i) out = out.unsqueeze(n.dims[i]);
  return out;
}

std::vector<Tensor> sum_backward(const FormulaNode& n, const Tensor& g) {
  return {with_kept_dims(n, g).expand(n.shape[0])};
}

std::vector<Tensor> mean_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor scale = full(Dims{}, n.reals[0], g.dtype());
  return {binary(BinaryOp::mul, with_kept_dims(n, g), scale).expand(n.shape[0])};
}

// max/min: the gradient is shared evenly by every element equal to the extreme value, so
// ties get a deterministic, symmetric split (as PyTorch's amax/amin do).
std::vector<Tensor> extreme_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor a = n.saved(0);
  const Tensor best = with_kept_dims(n, n.saved(1));
  const Tensor hit = binary(BinaryOp::eq, a, best).to(a.dtype());
  Dims axes = n.dims;
  const Tensor count = reduce(ReduceOp::sum, hit, axes, true);
  return {binary(BinaryOp::mul, hit, binary(BinaryOp::div, with_kept_dims(n, g), count))};
}

// Gradients of a @ b for the promoted operands (1-d inputs made 2-d), summed over the
// batch dims that were broadcast, reshaped back to the inputs' shapes.
std::vector<Tensor> matmul_backward(const FormulaNode& n, const Tensor& g_in) {
  const Tensor a_in = n.saved(0), b_in = n.saved(1);
  const bool a_vec = a_in.ndim() == 1, b_vec = b_in.ndim() == 1;
  const Tensor a = a_vec ? a_in.unsqueeze(0) : a_in;
  const Tensor b = b_vec ? b_in.unsqueeze(1) : b_in;
  Tensor g = g_in;
  if (a_vec) g = g.unsqueeze(g.ndim() - (b_vec ? 0 : 1));
  if (b_vec) g = g.unsqueeze(g.ndim());
  Tensor ga, gb;
  if (n.next_edges()[0].node)
    ga = sum_to(matmul(g, b.transpose(-1, -2)), a.shape()).reshape(a_in.shape());
  if (n.next_edges()[1].node)
    gb = sum_to(matmul(a.transpose(-1, -2), g), b.shape()).reshape(b_in.shape());
  return {ga, gb};
}

}  // namespace

Tensor record_reduce(ReduceOp op, const Tensor& a, const bool* mask, bool keepdims, Tensor out) {
  if (!should_record(a)) return out;
  static const char* names[] = {"SumBackward", "MeanBackward", "MaxBackward", "MinBackward"};
  static const FormulaNode::Formula formulas[] = {sum_backward, mean_backward,
                                                  extreme_backward, extreme_backward};
  const int i = static_cast<int>(op);
  FormulaNode& node = record(names[i], formulas[i], {&a}, out);
  node.shape[0] = a.shape();
  node.flags[0] = keepdims;
  int64_t count = 1;
  for (int d = 0; d < a.ndim(); ++d)
    if (mask[d]) {
      node.dims.push_back(d);
      count *= a.size(d);
    }
  node.reals[0] = 1.0 / static_cast<double>(count);
  if (op == ReduceOp::max || op == ReduceOp::min) {
    node.save(a);
    node.save(out);
  }
  return out;
}

Tensor record_matmul(const Tensor& a, const Tensor& b, Tensor out) {
  if (!should_record(a, b)) return out;
  FormulaNode& node = record("MatmulBackward", matmul_backward, {&a, &b}, out);
  node.save(a);
  node.save(b);
  return out;
}

}  // namespace nncore
