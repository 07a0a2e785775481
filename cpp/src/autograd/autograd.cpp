// Autograd state on tensors, grad mode, saved tensors, leaf accumulators, callback nodes.
#include "nncore/autograd.hpp"

#include <atomic>
#include <stdexcept>

#include "autograd/formula_node.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"

namespace nncore {
namespace {

thread_local bool grad_mode = true;
std::atomic<uint64_t> next_sequence_nr{0};

// Adds each gradient into its leaf's .grad.
class AccumulateGrad : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<AutogradMeta> meta) : meta_(std::move(meta)) {
    set_num_outputs(1);
  }
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override {
    Tensor& g = grads[0];
    if (!g.defined()) return {};
    if (!meta_->grad.defined()) {
      // A fresh contiguous copy: the incoming gradient may be a broadcast view or be
      // shared with other consumers.
      meta_->grad = g.clone();
    } else {
      meta_->grad = binary(BinaryOp::add, meta_->grad, g);
    }
    return {};
  }

 private:
  std::shared_ptr<AutogradMeta> meta_;
};

class CallbackNode : public Node {
 public:
  CallbackNode(std::string name, std::vector<Edge> edges, int num_outputs,
               CallbackBackward backward, CallbackRelease release, void* context)
      : name_(std::move(name)), backward_(backward), release_(release), context_(context) {
    set_next_edges(std::move(edges));
    set_num_outputs(num_outputs);
  }
  ~CallbackNode() override {
    if (release_ != nullptr) release_(context_);
  }
  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override {
    NNC_CHECK(!released(), std::invalid_argument,
              "%s: trying to backward through the graph a second time; call backward with "
              "retain_graph=True the first time if you need to", name_.c_str());
    std::vector<Tensor> result;
    if (!backward_(context_, grads, result))
      throw callback_error(name_ + ": backward raised an exception");
    NNC_CHECK(result.size() == next_edges().size(), std::invalid_argument,
              "%s: backward returned %zu gradients for %zu inputs", name_.c_str(),
              result.size(), next_edges().size());
    return result;
  }

 private:
  std::string name_;
  CallbackBackward backward_;
  CallbackRelease release_;
  void* context_;
};

AutogradMeta& meta_of(Tensor& t) {
  if (!t.autograd()) t.set_autograd(std::make_shared<AutogradMeta>());
  return *t.autograd();
}

}  // namespace

Node::Node() : sequence_nr_(next_sequence_nr++) {}

bool grad_enabled() { return grad_mode; }
void set_grad_enabled(bool enabled) { grad_mode = enabled; }

bool is_leaf(const Tensor& t) { return !t.autograd() || !t.autograd()->grad_fn; }

void set_requires_grad(Tensor& t, bool value) {
  NNC_CHECK(is_leaf(t), std::invalid_argument,
            "requires_grad_: only leaf tensors can change requires_grad; this one was "
            "computed by %s (use .detach() to get a leaf)",
            t.autograd()->grad_fn->name().c_str());
  if (value && !is_floating(t.dtype()))
    throw dtype_error(format_message(
        "requires_grad_: only floating tensors can require gradients, got %s",
        describe(t).c_str()));
  if (!value && !t.autograd()) return;
  meta_of(t).requires_grad = value;
}

Tensor grad_of(const Tensor& t) { return t.autograd() ? t.autograd()->grad : Tensor(); }

void set_grad(Tensor& t, const Tensor& grad) {
  if (grad.defined()) {
    NNC_CHECK(grad.shape() == t.shape(), std::invalid_argument,
              "grad: assigned gradient of shape %s to a tensor of shape %s",
              shape_str(grad.shape()).c_str(), shape_str(t.shape()).c_str());
    if (grad.dtype() != t.dtype())
      throw dtype_error(format_message("grad: assigned %s gradient to a %s",
                                       dtype_name(grad.dtype()), describe(t).c_str()));
  }
  if (!grad.defined() && !t.autograd()) return;
  meta_of(t).grad = grad;
}

std::shared_ptr<Node> grad_fn(const Tensor& t) {
  return t.autograd() ? t.autograd()->grad_fn : nullptr;
}

void retain_grad(Tensor& t) {
  NNC_CHECK(requires_grad(t), std::invalid_argument,
            "retain_grad: cannot retain the gradient of a tensor that does not require grad");
  AutogradMeta& meta = *t.autograd();
  if (meta.grad_fn == nullptr || meta.retains_grad) return;  // leaves keep .grad anyway
  meta.retains_grad = true;
  auto& retained = meta.grad_fn->retained_outputs();
  if (static_cast<int>(retained.size()) < meta.grad_fn->num_outputs())
    retained.resize(meta.grad_fn->num_outputs());
  retained[meta.output_nr] = t.autograd();
}

bool retains_grad(const Tensor& t) { return t.autograd() && t.autograd()->retains_grad; }

Tensor detach(const Tensor& t) {
  return Tensor(t.storage(), t.dtype(), t.shape(), t.strides(), t.offset());
}

Edge gradient_edge(const Tensor& t) {
  if (!requires_grad(t)) return Edge{};
  AutogradMeta& meta = *t.autograd();
  if (meta.grad_fn) return Edge{meta.grad_fn, meta.output_nr};
  std::shared_ptr<Node> acc = meta.grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.autograd());
    meta.grad_accumulator = acc;
  }
  return Edge{acc, 0};
}

void set_history(Tensor& out, const std::shared_ptr<Node>& node, int output_nr) {
  // A fresh meta: `out` may share one with a tensor it was copied from.
  auto meta = std::make_shared<AutogradMeta>();
  meta->requires_grad = true;
  meta->grad_fn = node;
  meta->output_nr = output_nr;
  out.set_autograd(std::move(meta));
}

SavedTensor::SavedTensor(const Tensor& t)
    : data_(detach(t)), version_(t.storage() ? t.storage()->version() : 0) {}

Tensor SavedTensor::unpack(const char* node_name) const {
  NNC_CHECK(!released_, std::invalid_argument,
            "%s: trying to backward through the graph a second time (or directly access "
            "saved tensors after they have already been freed); call backward with "
            "retain_graph=True the first time if you need to", node_name);
  NNC_CHECK(!data_.defined() || data_.storage()->version() == version_, std::invalid_argument,
            "%s: a %s needed for gradient computation has been modified by an in-place "
            "operation (version %llu, expected %llu)", node_name, describe(data_).c_str(),
            static_cast<unsigned long long>(data_.storage()->version()),
            static_cast<unsigned long long>(version_));
  return data_;
}

std::vector<Tensor> FormulaNode::apply(std::vector<Tensor>&& grads) {
  NNC_CHECK(!released(), std::invalid_argument,
            "%s: trying to backward through the graph a second time; call backward with "
            "retain_graph=True the first time if you need to", name_);
  if (!grads[0].defined()) return std::vector<Tensor>(next_edges().size());
  return formula_(*this, grads[0]);
}

FormulaNode& record(const char* name, FormulaNode::Formula formula,
                    std::initializer_list<const Tensor*> inputs, Tensor& out) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(gradient_edge(*t));
  auto node = std::make_shared<FormulaNode>(name, formula, std::move(edges));
  set_history(out, node);
  return *node;
}

Tensor sum_to(const Tensor& grad, const Dims& shape) {
  if (grad.shape() == shape) return grad;
  const int lead = grad.ndim() - shape.size();
  Dims axes;
  for (int d = 0; d < grad.ndim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && grad.size(d) != 1)) axes.push_back(d);
  Tensor summed = axes.empty() ? grad : reduce(ReduceOp::sum, grad, axes, true);
  return summed.reshape(shape);
}

std::shared_ptr<Node> record_callback_node(const std::string& name,
                                           const std::vector<Tensor>& inputs,
                                           std::vector<Tensor>& outputs,
                                           CallbackBackward backward, CallbackRelease release,
                                           void* context) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(gradient_edge(t));
  auto node = std::make_shared<CallbackNode>(name, std::move(edges),
                                             static_cast<int>(outputs.size()), backward,
                                             release, context);
  for (size_t i = 0; i < outputs.size(); ++i)
    if (is_floating(outputs[i].dtype())) set_history(outputs[i], node, static_cast<int>(i));
  return node;
}

}  // namespace nncore
