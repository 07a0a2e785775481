// The backward engine: reverse topological walk over the recorded graph.
#include <queue>
#include <stdexcept>
#include <unordered_map>

#include "nncore/autograd.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"

namespace nncore {
namespace {

// Restores grad mode on scope exit (backward formulas run with recording off).
struct GradModeGuard {
  bool saved = grad_enabled();
  explicit GradModeGuard(bool enabled) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(saved); }
};

struct ByLatestFirst {
  bool operator()(const Node* a, const Node* b) const {
    return a->sequence_nr() < b->sequence_nr();
  }
};

void accumulate(Tensor& slot, Tensor&& grad) {
  if (!grad.defined()) return;
  if (!slot.defined()) {
    slot = std::move(grad);
  } else {
    slot = binary(BinaryOp::add, slot, grad);
  }
}

}  // namespace

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots,
              bool retain_graph) {
  GradModeGuard no_recording(false);
  NNC_CHECK(roots.size() == grad_roots.size(), std::invalid_argument,
            "backward: %zu tensors but %zu gradients", roots.size(), grad_roots.size());

  // Seed gradients, keyed by (node, output).
  std::unordered_map<Node*, std::vector<Tensor>> pending;
  std::vector<std::shared_ptr<Node>> root_nodes;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    NNC_CHECK(requires_grad(root), std::invalid_argument,
              "backward: the %s does not require grad and has no grad_fn",
              describe(root).c_str());
    Tensor seed = grad_roots[i];
    if (!seed.defined()) {
      NNC_CHECK(root.numel() == 1, std::invalid_argument,
                "backward: grad can be implicitly created only for scalar outputs; pass a "
                "gradient for the %s", describe(root).c_str());
      seed = full(root.shape(), 1.0, root.dtype());
    } else {
      NNC_CHECK(seed.shape() == root.shape(), std::invalid_argument,
                "backward: gradient of shape %s does not match the %s",
                shape_str(seed.shape()).c_str(), describe(root).c_str());
      if (seed.dtype() != root.dtype())
        throw dtype_error(format_message("backward: %s gradient for a %s",
                                         dtype_name(seed.dtype()), describe(root).c_str()));
    }
    Edge edge = gradient_edge(root);
    auto& slots = pending[edge.node.get()];
    slots.resize(edge.node->num_outputs());
    accumulate(slots[edge.input_nr], std::move(seed));
    root_nodes.push_back(edge.node);
  }

  // Count, for every reachable node, how many edges lead into it.
  std::unordered_map<Node*, int> dependencies;
  std::vector<Node*> stack;
  std::unordered_map<Node*, bool> seen;
  for (auto& n : root_nodes)
    if (!seen[n.get()]) {
      seen[n.get()] = true;
      stack.push_back(n.get());
    }
  std::vector<Node*> visited;
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    visited.push_back(node);
    for (const Edge& e : node->next_edges()) {
      if (!e.node) continue;
      ++dependencies[e.node.get()];
      if (!seen[e.node.get()]) {
        seen[e.node.get()] = true;
        stack.push_back(e.node.get());
      }
    }
  }

  // Run nodes once all their consumers have run; among ready nodes, the most recently
  // recorded first, so the order (and every floating-point sum) is always the same.
  std::priority_queue<Node*, std::vector<Node*>, ByLatestFirst> ready;
  for (auto& n : root_nodes)
    if (dependencies[n.get()] == 0) {
      dependencies[n.get()] = -1;  // queued
      ready.push(n.get());
    }
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    std::vector<Tensor> grads = std::move(pending[node]);
    pending.erase(node);
    grads.resize(node->num_outputs());
    // Non-leaf tensors that asked for .grad receive the gradient of their output.
    auto& retained = node->retained_outputs();
    for (size_t i = 0; i < retained.size() && i < grads.size(); ++i)
      if (auto meta = retained[i].lock())
        if (grads[i].defined())
          meta->grad = meta->grad.defined() ? binary(BinaryOp::add, meta->grad, grads[i])
                                            : grads[i].clone();
    std::vector<Tensor> input_grads = node->apply(std::move(grads));
    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.node) continue;
      if (i < input_grads.size() && input_grads[i].defined()) {
        auto& slots = pending[e.node.get()];
        slots.resize(e.node->num_outputs());
        accumulate(slots[e.input_nr], std::move(input_grads[i]));
      }
      if (--dependencies[e.node.get()] == 0) ready.push(e.node.get());
    }
  }

  if (!retain_graph) {
    for (Node* node : visited) {
      node->release_saved();
      node->mark_released();
    }
  }
}

}  // namespace nncore
