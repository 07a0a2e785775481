// FormulaNode: the node type of every built-in op. Its backward formula is a plain function
// taking the node (saved tensors, input shapes, op parameters) and the output gradient, so
// recording an op costs one allocation and no std::function.
#pragma once

#include <string>
#include <vector>

#include "nncore/autograd.hpp"
#include "nncore/ops.hpp"

namespace nncore {

class FormulaNode : public Node {
 public:
  using Formula = std::vector<Tensor> (*)(const FormulaNode& node, const Tensor& grad);

  FormulaNode(const char* name, Formula formula, std::vector<Edge> edges)
      : name_(name), formula_(formula) {
    set_next_edges(std::move(edges));
  }

  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override;
  void release_saved() override {
    for (SavedTensor& s : saved_) s.release();
  }

  void save(const Tensor& t) { saved_.emplace_back(t); }
  Tensor saved(int i) const { return saved_[i].unpack(name_); }

  // Op parameters the formula needs.
  Dims shape[3];      // input shapes (for summing broadcast gradients back)
  DType dtype[2] = {DType::float32, DType::float32};
  Dims dims;          // axes, permutation, ...
  int64_t ints[4] = {0, 0, 0, 0};
  double reals[2] = {0, 0};
  bool flags[2] = {false, false};

 private:
  const char* name_;
  Formula formula_;
  std::vector<SavedTensor> saved_;
};

// Records a FormulaNode for `inputs` and makes it out's grad_fn; returns the node so the
// caller can fill in what the formula needs.
FormulaNode& record(const char* name, FormulaNode::Formula formula,
                    std::initializer_list<const Tensor*> inputs, Tensor& out);

// Sums a broadcast gradient back to `shape` (the one place broadcasting is undone).
Tensor sum_to(const Tensor& grad, const Dims& shape);

}  // namespace nncore
