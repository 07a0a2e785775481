// Backward of the recurrent ops: one node per sequence, with two outputs (the output
// sequence and h_n) or three (LSTM: and c_n). FormulaNode has a single output, so this node
// derives from Node directly. BPTT itself lives beside each forward (ops/rnn_<cell>.cpp);
// this node keeps the forward's tape and routes the output gradients to it.
#include <memory>
#include <vector>

#include "autograd/record.hpp"
#include "nncore/autograd.hpp"
#include "nncore/errors.hpp"
#include "ops/rnn_common.hpp"

namespace nncore {
namespace {

class RnnNode : public Node {
 public:
  RnnNode(const RnnArgs& args, RnnTape&& tape, std::vector<Edge> edges) : args_(args) {
    set_next_edges(std::move(edges));
    set_num_outputs(args.cell == RnnCell::lstm ? 3 : 2);
    // Tensors go into saved_ (version-checked, freed after backward); args_ keeps the
    // sizes and options only. x, h0, c0 and the bias are not needed: the tape holds x (in
    // xh) and their effect.
    saved_ = {SavedTensor(args.kernel), SavedTensor(args.recurrent_kernel),
              SavedTensor(args.mask), SavedTensor(args.recurrent_mask),
              SavedTensor(tape.gates), SavedTensor(tape.xh), SavedTensor(tape.aux0),
              SavedTensor(tape.aux1)};
    args_.x = args_.h0 = args_.c0 = args_.kernel = args_.recurrent_kernel = Tensor();
    args_.bias = args_.mask = args_.recurrent_mask = Tensor();
  }

  std::string name() const override { return node_name(); }

  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override {
    const char* name = node_name();
    NNC_CHECK(!released(), std::invalid_argument,
              "%s: trying to backward through the graph a second time; call backward with "
              "retain_graph=True the first time if you need to", name);
    grads.resize(num_outputs());
    bool any = false;
    for (const Tensor& g : grads) any = any || g.defined();
    if (!any) return std::vector<Tensor>(next_edges().size());

    RnnArgs a = args_;
    a.kernel = saved_[0].unpack(name);
    a.recurrent_kernel = saved_[1].unpack(name);
    a.mask = saved_[2].unpack(name);
    a.recurrent_mask = saved_[3].unpack(name);
    RnnTape tape{saved_[4].unpack(name), saved_[5].unpack(name), saved_[6].unpack(name),
                 saved_[7].unpack(name)};
    const std::vector<Edge>& e = next_edges();
    RnnWanted w;
    w.x = e[0].node != nullptr;
    w.h0 = e[1].node != nullptr;
    w.c0 = e[2].node != nullptr;
    w.kernel = e[3].node != nullptr;
    w.recurrent_kernel = e[4].node != nullptr;
    w.bias = e[5].node != nullptr;
    RnnGrads g;
    switch (a.cell) {
      case RnnCell::lstm: g = lstm_backward(a, tape, grads[0], grads[1], grads[2], w); break;
      case RnnCell::gru: g = gru_backward(a, tape, grads[0], grads[1], w); break;
      default: g = simple_rnn_backward(a, tape, grads[0], grads[1], w); break;
    }
    return {g.x, g.h0, g.c0, g.kernel, g.recurrent_kernel, g.bias};
  }

  void release_saved() override {
    for (SavedTensor& s : saved_) s.release();
  }

 private:
  const char* node_name() const {
    switch (args_.cell) {
      case RnnCell::lstm: return "LSTMBackward";
      case RnnCell::gru: return "GRUBackward";
      default: return "SimpleRNNBackward";
    }
  }

  RnnArgs args_;
  std::vector<SavedTensor> saved_;
};

}  // namespace

void record_rnn(const RnnArgs& args, RnnTape&& tape, const Tensor& x, const Tensor& h0,
                const Tensor& c0, const Tensor& kernel, const Tensor& recurrent_kernel,
                const Tensor& bias, RnnOutputs& out) {
  const bool any = requires_grad(x) || requires_grad(h0) || requires_grad(c0) ||
                   requires_grad(kernel) || requires_grad(recurrent_kernel) ||
                   requires_grad(bias);
  if (!any || !grad_enabled()) return;
  std::vector<Edge> edges{gradient_edge(x),      gradient_edge(h0),
                          gradient_edge(c0),     gradient_edge(kernel),
                          gradient_edge(recurrent_kernel), gradient_edge(bias)};
  auto node = std::make_shared<RnnNode>(args, std::move(tape), std::move(edges));
  if (out.output.defined()) set_history(out.output, node, 0);
  set_history(out.h_n, node, 1);
  if (out.c_n.defined()) set_history(out.c_n, node, 2);
}

}  // namespace nncore
