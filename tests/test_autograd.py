"""Autograd semantics: the lecture's graph, leaves and non-leaves, grad mode, errors,
custom functions, memory."""
import gc
import sys

import numpy as np
import pytest

import nncore
from nncore.autograd import Function


def test_lecture_example_g_equals_x_plus_y_times_z():
    x = nncore.tensor(1.0, requires_grad=True)
    y = nncore.tensor(3.0, requires_grad=True)
    z = nncore.tensor(-3.0, requires_grad=True)
    q = x + y
    g = q * z
    assert g.item() == -12.0
    g.backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-3.0, -3.0, 4.0)
    assert g.grad_fn.name() == "MulBackward"
    assert [fn.name() if fn else None for fn, _ in g.grad_fn.next_functions] == [
        "AddBackward", "AccumulateGrad"]


def test_leaves_accumulate_and_non_leaves_keep_grad_only_when_asked():
    w = nncore.tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    kept = w * 2
    kept.retain_grad()
    assert w.is_leaf and not h.is_leaf and h.requires_grad
    (h.sum() + kept.sum()).backward()
    assert w.grad.tolist() == [5.0, 5.0]
    assert h.grad is None
    assert kept.grad.tolist() == [1.0, 1.0] and kept.retains_grad
    (w * w).sum().backward()  # accumulates into the existing .grad
    assert w.grad.tolist() == [7.0, 9.0]
    w.grad = None
    assert w.grad is None
    with pytest.raises(ValueError, match="only leaf tensors"):
        h.requires_grad_(False)
    with pytest.raises(TypeError, match="floating"):
        nncore.tensor([1, 2]).requires_grad_()


def test_detach_and_grad_mode():
    x = nncore.ones(2, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), x.numpy())
    with nncore.no_grad():
        y = x * 2
        with nncore.enable_grad():
            z = x * 2
    assert not y.requires_grad and z.requires_grad
    assert nncore.is_grad_enabled()

    @nncore.no_grad()
    def infer(t):
        return t * 2

    assert not infer(x).requires_grad and nncore.is_grad_enabled()
    nncore.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    nncore.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_backward_errors():
    x = nncore.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="only for scalar outputs"):
        (x * 2).backward()
    y = (x * x).sum()
    y.backward()
    with pytest.raises(ValueError, match="second time"):
        y.backward()
    with pytest.raises(ValueError, match="does not require grad"):
        nncore.ones(2).sum().backward()
    with pytest.raises(ValueError, match="does not match"):
        (x * 2).backward(nncore.ones(2))
    # retain_graph keeps it usable
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [6.0, 6.0, 6.0]


def test_in_place_change_of_a_saved_tensor_is_detected():
    x = nncore.ones(3, requires_grad=True)
    y = (x * x).sum()
    with nncore.no_grad():
        x += 1  # allowed for updates, but x was saved by MulBackward
    with pytest.raises(ValueError, match="modified by an in-place operation"):
        y.backward()
    with pytest.raises(ValueError, match="in place"):
        x += 1  # with grad mode on, in-place writes to tensors that require grad are refused
    target = nncore.zeros(3)
    with pytest.raises(ValueError, match="not differentiable"):
        target[:] = x


def test_gradient_for_non_scalar_and_multiple_roots():
    x = nncore.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(nncore.tensor([1.0, 0.0, 2.0]))
    assert x.grad.tolist() == [2.0, 0.0, 12.0]
    x.grad = None
    nncore.autograd.backward([x.sum(), (x * 2).sum()])
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def test_views_and_indexing_scatter_gradients_back():
    x = nncore.arange(12, dtype=nncore.float64).reshape(3, 4).requires_grad_()
    parts = [x[1], x[:, ::2], x[::-1, 1:3].T, x[x > 6], x[nncore.tensor([0, 0, 2])],
             x.reshape(2, 6)[1], x.unsqueeze(0).expand(2, 3, 4), x.permute(1, 0)[0]]
    total = sum(p.sum() for p in parts)
    total.backward()
    expected = np.zeros((3, 4))
    expected[1] += 1
    expected[:, ::2] += 1
    expected[::-1, 1:3] += 1
    expected += np.arange(12).reshape(3, 4) > 6
    expected[0] += 2
    expected[2] += 1
    expected.reshape(2, 6)[1] += 1
    expected += 2
    expected[:, 0] += 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_max_ties_share_the_gradient_evenly():
    x = nncore.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    x.max(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]]
    y = nncore.tensor([2.0, 2.0, 1.0], requires_grad=True)
    nncore.maximum(y, nncore.tensor([2.0, 1.0, 5.0])).sum().backward()
    assert y.grad.tolist() == [0.5, 1.0, 0.0]


class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * ctx.scale, None


def test_custom_function_takes_part_in_the_graph():
    x = nncore.tensor([1.0, -2.0], dtype=nncore.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    (y * nncore.exp(x)).sum().backward()
    xs = np.array([1.0, -2.0])
    np.testing.assert_allclose(x.grad.numpy(), (6 * xs ** 2 + 2 * xs ** 3) * np.exp(xs))
    assert nncore.testing.gradcheck(lambda t: Cube.apply(t, 0.5), (x,))
    with nncore.no_grad():
        assert not Cube.apply(x, 1.0).requires_grad


def test_custom_function_errors_reach_the_caller():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            raise KeyError("broken backward")

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad.sum()

    x = nncore.ones(3, requires_grad=True)
    with pytest.raises(KeyError, match="broken backward"):
        Broken.apply(x).sum().backward()
    with pytest.raises(ValueError, match="has shape"):
        WrongShape.apply(x).sum().backward()


def test_saved_tensors_are_freed_after_backward():
    a = np.ones(1000)
    base = sys.getrefcount(a)
    x = nncore.from_numpy(a).requires_grad_()
    held = sys.getrefcount(a)
    y = (x * x).sum()
    assert sys.getrefcount(a) == held  # saved data shares the storage, not a new reference
    y.backward()
    del y, x
    gc.collect()
    assert sys.getrefcount(a) == base


def test_gradcheck_reports_the_worst_element():
    x = nncore.tensor([1.0, 3.0], dtype=nncore.float64, requires_grad=True)

    class Wrong(Function):
        @staticmethod
        def forward(ctx, t):
            return t * t

        @staticmethod
        def backward(ctx, grad):
            return grad * 3.0  # should be 2 t

    with pytest.raises(AssertionError, match=r"input 0 element \(1,\): analytic 3, numeric 6"):
        nncore.testing.gradcheck(Wrong.apply, (x,))
    with pytest.raises(ValueError, match="float64"):
        nncore.testing.gradcheck(lambda t: t * 2, (nncore.ones(2, requires_grad=True),))
