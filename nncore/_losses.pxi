# Fused loss kernels (cpp/include/nncore/losses.hpp).

cdef extern from "nncore/losses.hpp" namespace "nncore" nogil:
    CTensor c_softmax_cross_entropy "nncore::softmax_cross_entropy"(
        const CTensor&, const CTensor&) except +
    CTensor c_softmax_cross_entropy_soft "nncore::softmax_cross_entropy_soft"(
        const CTensor&, const CTensor&) except +


def _softmax_cross_entropy(logits, target, bint soft=False):
    """Per-row softmax cross-entropy of (N, C) logits against class indices (N,) or, with
    soft=True, target probabilities (N, C). Differentiable in the logits."""
    cdef Tensor x = _as_tensor(logits), t = _as_tensor(target)
    cdef CTensor r
    with nogil:
        if soft:
            r = c_softmax_cross_entropy_soft(x.c, t.c)
        else:
            r = c_softmax_cross_entropy(x.c, t.c)
    return _wrap(r)
