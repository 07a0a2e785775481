// Backward of conv2d and conv_transpose2d (ops/conv2d.cpp, ops/conv_transpose.cpp).
//
// conv2d:            dx = conv2d_backward_input(g, w), dw = conv2d_backward_weight(x, g),
//                    dbias = sum of g over (N, H, W).
// conv_transpose2d:  its forward is conv2d's input gradient, so dx = conv2d(g, w) (cut to
//                    x's size when output_padding made the output longer than the conv's
//                    reach) and dw = conv2d_backward_weight(g, x), the roles of input and
//                    output gradient swapped.
// Each gradient is computed only when its input needs it.
#include "autograd/formula_node.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

void save_options(FormulaNode& node, const ConvOptions& o) {
  node.dims = Dims{o.stride_h, o.stride_w, o.pad_top, o.pad_bottom, o.pad_left, o.pad_right,
                   o.dilation_h, o.dilation_w, o.groups};
}

ConvOptions options_of(const FormulaNode& node) {
  const Dims& d = node.dims;
  ConvOptions o;
  o.stride_h = d[0];
  o.stride_w = d[1];
  o.pad_top = d[2];
  o.pad_bottom = d[3];
  o.pad_left = d[4];
  o.pad_right = d[5];
  o.dilation_h = d[6];
  o.dilation_w = d[7];
  o.groups = d[8];
  return o;
}

Tensor bias_grad(const FormulaNode& n, const Tensor& g) {
  return n.next_edges()[2].node ? reduce(ReduceOp::sum, g, Dims{0, 1, 2}, false) : Tensor();
}

std::vector<Tensor> conv2d_backward(const FormulaNode& n, const Tensor& g) {
  const ConvOptions o = options_of(n);
  const Dims& xs = n.shape[0];
  const Dims& ws = n.shape[1];
  Tensor gx, gw;
  if (n.next_edges()[0].node) gx = conv2d_backward_input(g, n.saved(1), xs[1], xs[2], o);
  if (n.next_edges()[1].node) gw = conv2d_backward_weight(n.saved(0), g, ws[0], ws[1], o);
  return {gx, gw, bias_grad(n, g)};
}

std::vector<Tensor> conv_transpose2d_backward(const FormulaNode& n, const Tensor& g) {
  const ConvOptions o = options_of(n);
  const Dims& xs = n.shape[0];
  const Dims& ws = n.shape[1];
  Tensor gx, gw;
  if (n.next_edges()[0].node) {
    gx = conv2d(g, n.saved(1), Tensor(), o);
    if (gx.size(1) != xs[1] || gx.size(2) != xs[2])
      gx = gx.slice(1, 0, xs[1], 1).slice(2, 0, xs[2], 1);
  }
  if (n.next_edges()[1].node) gw = conv2d_backward_weight(g, n.saved(0), ws[0], ws[1], o);
  return {gx, gw, bias_grad(n, g)};
}

FormulaNode* record_conv(const char* name, FormulaNode::Formula formula, const Tensor& x,
                         const Tensor& w, const Tensor& bias, const ConvOptions& o,
                         Tensor& out) {
  if (!(requires_grad(x) || requires_grad(w) || (bias.defined() && requires_grad(bias))) ||
      !grad_enabled())
    return nullptr;
  FormulaNode& node = record(name, formula, {&x, &w, &bias}, out);
  save_options(node, o);
  node.shape[0] = x.shape();
  node.shape[1] = w.shape();
  // x is needed for the weight gradient, w for the input gradient; nothing else is kept.
  node.save(node.next_edges()[1].node ? x : Tensor());
  node.save(node.next_edges()[0].node ? w : Tensor());
  return &node;
}

}  // namespace

Tensor record_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                     const ConvOptions& o, Tensor out) {
  record_conv("Conv2dBackward", conv2d_backward, x, w, bias, o, out);
  return out;
}

Tensor record_conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                               const ConvOptions& o, Tensor out) {
  record_conv("ConvTranspose2dBackward", conv_transpose2d_backward, x, w, bias, o, out);
  return out;
}

}  // namespace nncore
