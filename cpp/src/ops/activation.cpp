// Pointwise activations and PReLU: checks, dispatch to the ISA's kernels, and the backward
// nodes (one fused kernel pass each, see activation_impl.hpp).
#include <stdexcept>

#include "autograd/formula_node.hpp"
#include "nncore/activations.hpp"
#include "nncore/autograd.hpp"
#include "nncore/dispatch.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"
#include "ops/activation_kernels.hpp"
#include "ops/strided_loop.hpp"

namespace nncore {

const ActivationKernels& activation_kernels() {
  static const ActivationKernels table = build_for_active_isa<ActivationKernels>(
      fill_activation_kernels_generic, fill_activation_kernels_avx2,
      fill_activation_kernels_avx512);
  return table;
}

const char* activation_name(Activation act) {
  static const char* names[kNumActivations] = {
      "linear", "step",  "sign", "sigmoid", "hard_sigmoid", "tanh",      "relu",
      "relu6",  "leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "silu", "softplus",
      "softsign", "mish", "gaussian", "asinh"};
  const int i = static_cast<int>(act);
  return i >= 0 && i < kNumActivations ? names[i] : "activation";
}

namespace {

// Transcendental kernels cost ~10x an add: smaller chunks keep both cores busy sooner.
// Chunk boundaries still depend only on the size, so results do not depend on threads.
constexpr int64_t kActivationGrain = kElementwiseGrain / 4;

// Activations whose derivative is cheapest from the output (so that is what is saved).
bool saves_output(Activation act) {
  return act == Activation::sigmoid || act == Activation::tanh || act == Activation::relu;
}

// Index into the kernel tables, or a dtype_error naming the op and the tensor.
int float_index(const char* op, const Tensor& t) {
  NNC_CHECK(t.defined(), std::invalid_argument, "%s: undefined tensor", op);
  if (!is_floating(t.dtype()))
    throw dtype_error(format_message("%s: not supported for %s (needs float32 or float64)", op,
                                     describe(t).c_str()));
  return t.dtype() == DType::float32 ? 0 : 1;
}

std::vector<Tensor> activation_backward(const FormulaNode& n, const Tensor& g) {
  const auto act = static_cast<Activation>(n.ints[0]);
  const Tensor s = n.saved(0);
  if (act == Activation::linear || n.flags[0]) return {g};  // identity / straight-through
  if (act == Activation::step || act == Activation::sign) return {full(s.shape(), 0.0, s.dtype())};
  ActBackwardKernel kernel =
      activation_kernels().backward[static_cast<int>(act)][s.dtype() == DType::float32 ? 0 : 1];
  Tensor gx = Tensor::empty(s.shape(), s.dtype());
  const Tensor* operands[3] = {&gx, &g, &s};
  StridedLoop<3> loop(s.shape(), operands);
  const double alpha = n.reals[0], beta = n.reals[1];
  loop.run(kActivationGrain, [&](int64_t len, char* const* p, const int64_t* st) {
    kernel(len, p[0], st[0], p[1], st[1], p[2], st[2], alpha, beta);
  });
  return {gx};
}

// weight viewed with x's rank, its elements along dim 1 (or a single broadcast element).
Tensor prelu_weight_view(const Tensor& x, const Tensor& w) {
  if (w.numel() == 1) return w.reshape(Dims::filled(x.ndim(), 1));
  Dims shape = Dims::filled(x.ndim(), 1);
  shape[1] = w.numel();
  return w.reshape(shape);
}

std::vector<Tensor> prelu_backward(const FormulaNode& n, const Tensor& g) {
  const Tensor x = n.saved(0), w = n.saved(1);
  const Tensor wv = prelu_weight_view(x, w);
  const Tensor we = wv.expand(x.shape());
  Tensor gx = Tensor::empty(x.shape(), x.dtype());
  Tensor gw_full = Tensor::empty(x.shape(), x.dtype());
  PreluBackwardKernel kernel =
      activation_kernels().prelu_backward[x.dtype() == DType::float32 ? 0 : 1];
  const Tensor* operands[5] = {&gx, &gw_full, &g, &x, &we};
  StridedLoop<5> loop(x.shape(), operands);
  loop.run(kElementwiseGrain, [&](int64_t len, char* const* p, const int64_t* st) {
    kernel(len, p[0], st[0], p[1], st[1], p[2], st[2], p[3], st[3], p[4], st[4]);
  });
  const bool wants_w = n.next_edges()[1].node != nullptr;
  Tensor gw = wants_w ? sum_to(gw_full, wv.shape()).reshape(w.shape()) : Tensor();
  return {gx, gw};
}

}  // namespace

Tensor activation(Activation act, const Tensor& x, double alpha, double beta,
                  bool straight_through) {
  const int a = static_cast<int>(act);
  NNC_CHECK(a >= 0 && a < kNumActivations, std::invalid_argument,
            "activation: unknown activation %d", a);
  const char* name = activation_name(act);
  const int d = float_index(name, x);
  if (act == Activation::selu) alpha = 0;  // fixed constants, see activation_impl.hpp
  NNC_CHECK(act != Activation::softplus || alpha != 0, std::invalid_argument,
            "softplus: beta must be non-zero");
  ActForwardKernel kernel = activation_kernels().forward[a][d];
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  const Tensor* operands[2] = {&out, &x};
  StridedLoop<2> loop(x.shape(), operands);
  loop.run(kActivationGrain, [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1], alpha, beta);
  });
  if (!should_record(x)) return out;
  static const char* names[kNumActivations] = {
      "LinearBackward",    "StepBackward",     "SignBackward",     "SigmoidBackward",
      "HardSigmoidBackward", "TanhBackward",   "ReluBackward",     "Relu6Backward",
      "LeakyReluBackward", "EluBackward",      "SeluBackward",     "GeluBackward",
      "GeluTanhBackward",  "SiluBackward",     "SoftplusBackward", "SoftsignBackward",
      "MishBackward",      "GaussianBackward", "AsinhBackward"};
  FormulaNode& node = record(names[a], activation_backward, {&x}, out);
  // The saved tensor also gives the backward its shape and dtype (linear/step/sign).
  node.save(saves_output(act) ? out : x);
  node.ints[0] = a;
  node.reals[0] = alpha;
  node.reals[1] = beta;
  node.flags[0] = straight_through && (act == Activation::step || act == Activation::sign);
  return out;
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  const int d = float_index("prelu", x);
  float_index("prelu", weight);
  if (x.dtype() != weight.dtype())
    throw dtype_error(format_message("prelu: dtype mismatch between %s and weight %s",
                                     describe(x).c_str(), describe(weight).c_str()));
  const int64_t channels = x.ndim() >= 2 ? x.size(1) : 1;
  NNC_CHECK(weight.ndim() <= 1, std::invalid_argument,
            "prelu: weight must be 0-d or 1-d, got shape %s", shape_str(weight.shape()).c_str());
  NNC_CHECK(weight.numel() == 1 || weight.numel() == channels, std::invalid_argument,
            "prelu: weight has %lld elements; expected 1 or the %lld channels (dim 1) of input "
            "of shape %s",
            static_cast<long long>(weight.numel()), static_cast<long long>(channels),
            shape_str(x.shape()).c_str());
  const Tensor we = prelu_weight_view(x, weight).expand(x.shape());
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  PreluForwardKernel kernel = activation_kernels().prelu_forward[d];
  const Tensor* operands[3] = {&out, &x, &we};
  StridedLoop<3> loop(x.shape(), operands);
  loop.run(kElementwiseGrain, [&](int64_t n, char* const* p, const int64_t* s) {
    kernel(n, p[0], s[0], p[1], s[1], p[2], s[2]);
  });
  if (!should_record(x, weight)) return out;
  FormulaNode& node = record("PreluBackward", prelu_backward, {&x, &weight}, out);
  node.save(x);
  node.save(weight);
  return out;
}

}  // namespace nncore
