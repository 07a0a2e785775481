// Backward formulas of the elementwise ops. Each row: what is saved, and the gradient of
// every input (summed back over broadcast dims by sum_to).
#include "autograd/formula_node.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

Tensor scalar(double v, DType d) { return full(Dims{}, v, d); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryOp::div, a, b); }
Tensor as_float(const Tensor& mask, DType d) { return mask.to(d); }
bool wants(const FormulaNode& n, int input) { return n.next_edges()[input].node != nullptr; }

std::vector<Tensor> add_backward(const FormulaNode& n, const Tensor& g) {
  return {sum_to(g, n.shape[0]), sum_to(g, n.shape[1])};
}

std::vector<Tensor> sub_backward(const FormulaNode& n, const Tensor& g) {
  return {sum_to(g, n.shape[0]),
          wants(n, 1) ? sum_to(unary(UnaryOp::neg, g), n.shape[1]) : Tensor()};
}

std::vector<Tensor> mul_backward(const FormulaNode& n, const Tensor& g) {
  return {wants(n, 0) ? sum_to(mul(g, n.saved(1)), n.shape[0]) : Tensor(),
          wants(n, 1) ? sum_to(mul(g, n.saved(0)), n.shape[1]) : Tensor()};
}

std::vector<Tensor> div_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor b = n.saved(1);
  Tensor ga, gb;
  if (wants(n, 0)) ga = sum_to(div(g, b), n.shape[0]);
  if (wants(n, 1)) {  // d(a/b)/db = -a / b^2 = -out / b
    gb = sum_to(unary(UnaryOp::neg, div(mul(g, n.saved(2)), b)), n.shape[1]);
  }
  return {ga, gb};
}

std::vector<Tensor> pow_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor a = n.saved(0), b = n.saved(1);
  Tensor ga, gb;
  if (wants(n, 0)) {  // b * a^(b-1)
    const Tensor bm1 = binary(BinaryOp::sub, b, scalar(1.0, b.dtype()));
    ga = sum_to(mul(g, mul(b, binary(BinaryOp::pow, a, bm1))), n.shape[0]);
  }
  if (wants(n, 1)) {  // a^b * log(a), taken as 0 where a == 0 (as PyTorch does)
    const Tensor zero = scalar(0.0, a.dtype());
    const Tensor term = mul(n.saved(2), unary(UnaryOp::log, a));
    gb = sum_to(mul(g, where(binary(BinaryOp::eq, a, zero), zero, term)), n.shape[1]);
  }
  return {ga, gb};
}

// maximum/minimum: the gradient goes to the chosen input; ties split it evenly.
std::vector<Tensor> extreme_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor a = n.saved(0), b = n.saved(1);
  const DType d = a.dtype();
  const BinaryOp wins = n.flags[0] ? BinaryOp::gt : BinaryOp::lt;
  const Tensor share_a = binary(BinaryOp::add, as_float(binary(wins, a, b), d),
                                mul(as_float(binary(BinaryOp::eq, a, b), d), scalar(0.5, d)));
  Tensor ga, gb;
  if (wants(n, 0)) ga = sum_to(mul(g, share_a), n.shape[0]);
  if (wants(n, 1))
    gb = sum_to(mul(g, binary(BinaryOp::sub, scalar(1.0, d), share_a)), n.shape[1]);
  return {ga, gb};
}

std::vector<Tensor> neg_backward(const FormulaNode&, const Tensor& g) {
  return {unary(UnaryOp::neg, g)};
}
std::vector<Tensor> exp_backward(const FormulaNode& n, const Tensor& g) {
  return {mul(g, n.saved(0))};  // saved: the output
}
std::vector<Tensor> log_backward(const FormulaNode& n, const Tensor& g) {
  return {div(g, n.saved(0))};
}
std::vector<Tensor> sqrt_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor out = n.saved(0);
  return {div(g, mul(out, scalar(2.0, out.dtype())))};
}
std::vector<Tensor> abs_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor a = n.saved(0);
  const Tensor zero = scalar(0.0, a.dtype());
  const Tensor sign = binary(BinaryOp::sub, as_float(binary(BinaryOp::gt, a, zero), a.dtype()),
                             as_float(binary(BinaryOp::lt, a, zero), a.dtype()));
  return {mul(g, sign)};
}

// clip passes the gradient where lo <= a <= hi (bounds included, as PyTorch does).
std::vector<Tensor> clip_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor a = n.saved(0);
  Tensor pass = full(a.shape(), 1.0, a.dtype());
  if (n.flags[0])
    pass = mul(pass, as_float(binary(BinaryOp::ge, a, scalar(n.reals[0], a.dtype())), a.dtype()));
  if (n.flags[1])
    pass = mul(pass, as_float(binary(BinaryOp::le, a, scalar(n.reals[1], a.dtype())), a.dtype()));
  return {mul(g, pass)};
}

std::vector<Tensor> where_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor cond = n.saved(0);
  const Tensor zero = scalar(0.0, g.dtype());
  return {Tensor(),  // the condition
          wants(n, 1) ? sum_to(where(cond, g, zero), n.shape[1]) : Tensor(),
          wants(n, 2) ? sum_to(where(cond, zero, g), n.shape[2]) : Tensor()};
}

}  // namespace

Tensor record_binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor out) {
  if (op >= BinaryOp::eq || !should_record(a, b)) return out;  // comparisons: no gradient
  static const char* names[] = {"AddBackward", "SubBackward", "MulBackward", "DivBackward",
                                "PowBackward", "MaximumBackward", "MinimumBackward"};
  static const FormulaNode::Formula formulas[] = {add_backward, sub_backward, mul_backward,
                                                  div_backward, pow_backward, extreme_backward,
                                                  extreme_backward};
  const int i = static_cast<int>(op);
  FormulaNode& node = record(names[i], formulas[i], {&a, &b}, out);
  node.shape[0] = a.shape();
  node.shape[1] = b.shape();
  switch (op) {
    case BinaryOp::mul:
      node.save(a);
      node.save(b);
      break;
    case BinaryOp::div:
    case BinaryOp::pow:
      node.save(a);
      node.save(b);
      node.save(out);
      break;
    case BinaryOp::maximum:
    case BinaryOp::minimum:
      node.save(a);
      node.save(b);
      node.flags[0] = op == BinaryOp::maximum;
      break;
    default:
      break;
  }
  return out;
}

Tensor record_unary(UnaryOp op, const Tensor& a, Tensor out) {
  if (!should_record(a)) return out;
  static const char* names[] = {"NegBackward", "ExpBackward", "LogBackward", "SqrtBackward",
                                "AbsBackward"};
  static const FormulaNode::Formula formulas[] = {neg_backward, exp_backward, log_backward,
                                                  sqrt_backward, abs_backward};
  const int i = static_cast<int>(op);
  FormulaNode& node = record(names[i], formulas[i], {&a}, out);
  if (op == UnaryOp::exp || op == UnaryOp::sqrt) node.save(out);
  if (op == UnaryOp::log || op == UnaryOp::abs) node.save(a);
  return out;
}

Tensor record_clip(const Tensor& a, bool has_lo, double lo, bool has_hi, double hi, Tensor out) {
  if (!should_record(a)) return out;
  FormulaNode& node = record("ClipBackward", clip_backward, {&a}, out);
  node.save(a);
  node.flags[0] = has_lo;
  node.flags[1] = has_hi;
  node.reals[0] = lo;
  node.reals[1] = hi;
  return out;
}

Tensor record_where(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor out) {
  if (!should_record(a, b)) return out;
  FormulaNode& node = record("WhereBackward", where_backward, {&cond, &a, &b}, out);
  node.save(cond);
  node.shape[1] = a.shape();
  node.shape[2] = b.shape();
  return out;
}

}  // namespace nncore
