"""Backpropagation on a computational graph: the lecture's g = (x + y) * z, step by step.

    python examples/computational_graph.py
"""
import nncore


def main():
    x = nncore.tensor(1.0, requires_grad=True)
    y = nncore.tensor(3.0, requires_grad=True)
    z = nncore.tensor(-3.0, requires_grad=True)

    q = x + y          # forward: q = 4
    g = q * z          # forward: g = -12
    q.retain_grad()    # keep dg/dq, an intermediate node's gradient
    print(f"forward:  q = x + y = {q.item():g},  g = q * z = {g.item():g}")
    print("graph:   ", g.grad_fn, "->", [fn for fn, _ in g.grad_fn.next_functions])

    g.backward()       # backward: local gradients multiplied along each path
    print(f"backward: dg/dq = z = {q.grad.item():g}")
    print(f"          dg/dz = q = {z.grad.item():g}")
    print(f"          dg/dx = dg/dq * dq/dx = {q.grad.item():g} * 1 = {x.grad.item():g}")
    print(f"          dg/dy = dg/dq * dq/dy = {q.grad.item():g} * 1 = {y.grad.item():g}")


if __name__ == "__main__":
    main()
