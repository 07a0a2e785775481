// Reverse-mode automatic differentiation.
//
// A tensor that requires grad carries AutogradMeta. When an op runs with grad mode on and
// any input requires grad, it records a Node: the node keeps exactly what its backward
// formula needs (saved tensors are kept as data only, with the storage version they had)
// and one Edge per input, pointing at the node that produced that input (or at the leaf's
// AccumulateGrad). The op's output gets the node as its grad_fn.
//
//   x (leaf) ──AccumulateGrad◄── MulBackward ◄── SumBackward ◄── y.backward()
//
// backward(root) walks the nodes reachable from root.grad_fn in reverse topological order
// (a node runs once every node that consumes its outputs has run), calling each node's
// apply() with the gradients of its outputs and routing the results along its edges.
// Leaves accumulate into .grad. Afterwards each node releases its saved tensors unless
// retain_graph is set; a second backward through a released node is an error.
// Backward formulas are written with the same differentiable ops, run with grad mode off.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nncore/tensor.hpp"

namespace nncore {

class Node;

// Where the gradient of one input of a node goes: input `input_nr` of `node`.
struct Edge {
  std::shared_ptr<Node> node;  // null when that input does not require grad
  int input_nr = 0;
};

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;          // non-leaf asked to keep .grad
  Tensor grad;                        // accumulated gradient (undefined until backward)
  std::shared_ptr<Node> grad_fn;      // null for leaves
  int output_nr = 0;                  // which output of grad_fn this tensor is
  std::weak_ptr<Node> grad_accumulator;  // a leaf's AccumulateGrad, shared by its uses
};

// A tensor kept for backward: data without autograd history (no reference cycles),
// plus the storage version at save time to detect later in-place changes.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  // The saved data; throws if it was modified in place since it was saved or released.
  Tensor unpack(const char* node_name) const;
  void release() { data_ = Tensor(); released_ = true; }
  bool defined() const { return data_.defined() || released_; }

 private:
  Tensor data_;
  uint64_t version_ = 0;
  bool released_ = false;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  // Readable name, e.g. "MulBackward".
  virtual std::string name() const = 0;
  // Gradients of the inputs from the gradients of the outputs (undefined = zero).
  virtual std::vector<Tensor> apply(std::vector<Tensor>&& grad_outputs) = 0;
  // Frees saved tensors after a backward pass that does not retain the graph.
  virtual void release_saved() {}

  int num_outputs() const { return num_outputs_; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  uint64_t sequence_nr() const { return sequence_nr_; }
  bool released() const { return released_; }
  void mark_released() { released_ = true; }
  // Non-leaf outputs whose .grad is to be kept (retain_grad).
  std::vector<std::weak_ptr<AutogradMeta>>& retained_outputs() { return retained_; }

 protected:
  Node();
  void set_next_edges(std::vector<Edge> edges) { next_edges_ = std::move(edges); }
  void set_num_outputs(int n) { num_outputs_ = n; }

 private:
  std::vector<Edge> next_edges_;
  std::vector<std::weak_ptr<AutogradMeta>> retained_;
  uint64_t sequence_nr_;
  int num_outputs_ = 1;
  bool released_ = false;
};

// ---- grad mode (per thread, like PyTorch) ----
bool grad_enabled();
void set_grad_enabled(bool enabled);

// ---- tensor-level autograd API ----
inline bool requires_grad(const Tensor& t);
// Sets requires_grad on a leaf; throws for non-leaves (their flag comes from the graph).
void set_requires_grad(Tensor& t, bool value);
bool is_leaf(const Tensor& t);
Tensor grad_of(const Tensor& t);
void set_grad(Tensor& t, const Tensor& grad);
std::shared_ptr<Node> grad_fn(const Tensor& t);
void retain_grad(Tensor& t);
bool retains_grad(const Tensor& t);
// The same data with no autograd history.
Tensor detach(const Tensor& t);

// Runs backward from `roots` (each seeded with the matching gradient, or with ones for a
// one-element root when the gradient is undefined).
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots,
              bool retain_graph);

// The edge through which a gradient for `t` flows back (the leaf's accumulator for a
// leaf that requires grad; an empty edge for tensors that do not require grad).
Edge gradient_edge(const Tensor& t);

// True when an op on these inputs should record a node. The tensors are looked at first:
// the thread-local grad mode costs more to read than their pointers.
inline bool should_record(const Tensor& a) { return requires_grad(a) && grad_enabled(); }
inline bool should_record(const Tensor& a, const Tensor& b) {
  return (requires_grad(a) || requires_grad(b)) && grad_enabled();
}

// Makes `out` the output `output_nr` of `node` (requires_grad, grad_fn set).
void set_history(Tensor& out, const std::shared_ptr<Node>& node, int output_nr = 0);

// ---- nodes defined by a callback (custom functions defined outside C++) ----
// backward(context, grad_outputs, grad_inputs) fills one gradient per input (undefined for
// none) and returns true, or returns false when it failed (the caller of backward() is
// then told by a callback_error). release(context) is called once when the node dies.
using CallbackBackward = bool (*)(void* context, const std::vector<Tensor>& grad_outputs,
                                  std::vector<Tensor>& grad_inputs);
using CallbackRelease = void (*)(void* context);

class callback_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Records a node with the given callbacks connecting `inputs` to `outputs` (each output
// gets it as grad_fn); returns it.
std::shared_ptr<Node> record_callback_node(const std::string& name,
                                           const std::vector<Tensor>& inputs,
                                           std::vector<Tensor>& outputs,
                                           CallbackBackward backward, CallbackRelease release,
                                           void* context);

inline bool requires_grad(const Tensor& t) {
  return t.autograd() && t.autograd()->requires_grad;
}

}  // namespace nncore
