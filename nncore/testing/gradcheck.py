"""Gradient checking by central finite differences (float64)."""
import numpy as np

import nncore


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree."""


def _outputs(result):
    return result if isinstance(result, (tuple, list)) else (result,)


def _numeric_jacobian(fn, inputs, index, eps, out_sizes):
    """d(outputs)/d(inputs[index]) as a (total output size, input size) array."""
    x = inputs[index].detach().numpy()  # shares memory with the input: perturbed in place
    jac = np.zeros((sum(out_sizes), x.size))
    with nncore.no_grad():
        for j, pos in enumerate(np.ndindex(*x.shape)):
            original = x[pos]
            x[pos] = original + eps
            plus = [o.numpy().astype(np.float64).ravel() for o in _outputs(fn(*inputs))]
            x[pos] = original - eps
            minus = [o.numpy().astype(np.float64).ravel() for o in _outputs(fn(*inputs))]
            x[pos] = original
            jac[:, j] = (np.concatenate(plus) - np.concatenate(minus)) / (2 * eps)
    return jac


def _analytic_jacobians(fn, inputs, wanted):
    """d(outputs)/d(inputs[i]) for each i in wanted, one backward pass per output element."""
    outputs = [o for o in _outputs(fn(*inputs))]
    sizes = [o.numel() for o in outputs]
    jacs = {i: np.zeros((sum(sizes), inputs[i].numel())) for i in wanted}
    row = 0
    for out in outputs:
        if not out.requires_grad:
            row += out.numel()
            continue
        for k in range(out.numel()):
            for i in wanted:
                inputs[i].grad = None
            seed = np.zeros(out.numel(), dtype=out.dtype.numpy_dtype)
            seed[k] = 1
            out.backward(nncore.tensor(seed.reshape(out.shape)), retain_graph=True)
            for i in wanted:
                g = inputs[i].grad
                if g is not None:
                    jacs[i][row] = g.numpy().ravel()
            row += 1
    for i in wanted:
        inputs[i].grad = None
    return jacs, sizes


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4):
    """Checks fn's gradients against central differences, for every input that requires
    grad (which must be float64). Returns True, or raises GradcheckError naming the worst
    element: which input and output, the indices, and the analytic and numeric values."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wanted = [i for i, t in enumerate(inputs) if isinstance(t, nncore.Tensor) and t.requires_grad]
    if not wanted:
        raise ValueError("gradcheck: no input requires grad")
    for i in wanted:
        if inputs[i].dtype != nncore.float64:
            raise ValueError(f"gradcheck: input {i} is {inputs[i].dtype.name}; finite "
                             f"differences need float64")
    analytic, sizes = _analytic_jacobians(fn, inputs, wanted)
    outputs = _outputs(fn(*inputs))
    for i in wanted:
        numeric = _numeric_jacobian(fn, inputs, i, eps, sizes)
        excess = np.abs(analytic[i] - numeric) - (atol + rtol * np.abs(numeric))
        if excess.size and excess.max() > 0:
            r, c = np.unravel_index(np.argmax(excess), excess.shape)
            out_nr = int(np.searchsorted(np.cumsum(sizes), r, side="right"))
            out_elem = np.unravel_index(r - sum(sizes[:out_nr]), outputs[out_nr].shape)
            in_elem = np.unravel_index(c, inputs[i].shape)
            raise GradcheckError(
                f"gradcheck: gradient of output {out_nr} element {tuple(map(int, out_elem))} "
                f"with respect to input {i} element {tuple(map(int, in_elem))}: analytic "
                f"{analytic[i][r, c]:.10g}, numeric {numeric[r, c]:.10g}")
    return True
