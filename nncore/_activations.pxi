# Activation functions: bindings of the C++ kernels in cpp/src/ops/activation*.cpp and
# softmax.cpp. nncore.functional gives them PyTorch's names and arguments.

cdef extern from "nncore/activations.hpp" namespace "nncore" nogil:
    enum class Activation "nncore::Activation":
        linear
        step
        sign
        sigmoid
        hard_sigmoid
        tanh
        relu
        relu6
        leaky_relu
        elu
        selu
        gelu
        gelu_tanh
        silu
        softplus
        softsign
        mish
        gaussian
        asinh

    CTensor c_activation "nncore::activation"(Activation, const CTensor&, double, double,
                                               cbool) except +
    CTensor c_prelu "nncore::prelu"(const CTensor&, const CTensor&) except +
    CTensor c_softmax "nncore::softmax"(const CTensor&, int64_t, cbool) except +


_ACTIVATIONS = {
    "linear": Activation.linear, "step": Activation.step, "sign": Activation.sign,
    "sigmoid": Activation.sigmoid, "hard_sigmoid": Activation.hard_sigmoid,
    "tanh": Activation.tanh, "relu": Activation.relu, "relu6": Activation.relu6,
    "leaky_relu": Activation.leaky_relu, "elu": Activation.elu, "selu": Activation.selu,
    "gelu": Activation.gelu, "gelu_tanh": Activation.gelu_tanh, "silu": Activation.silu,
    "softplus": Activation.softplus, "softsign": Activation.softsign, "mish": Activation.mish,
    "gaussian": Activation.gaussian, "asinh": Activation.asinh,
}


def activation(name, x, double alpha=0.0, double beta=0.0, bint straight_through=False):
    """The pointwise activation `name` (see cpp/include/nncore/activations.hpp for the
    meaning of alpha and beta per activation)."""
    try:
        act = _ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; expected one of "
                         f"{', '.join(sorted(_ACTIVATIONS))}") from None
    cdef Activation a = act
    cdef Tensor t = _as_tensor(x)
    cdef cbool st = straight_through
    cdef CTensor r
    with nogil:
        r = c_activation(a, t.c, alpha, beta, st)
    return _wrap(r)


def prelu(x, weight):
    """max(x, 0) + weight * min(x, 0), weight broadcast along dim 1 (channels)."""
    cdef Tensor t = _as_tensor(x), w = _as_tensor(weight)
    cdef CTensor r
    with nogil:
        r = c_prelu(t.c, w.c)
    return _wrap(r)


def softmax(x, int64_t dim=-1, bint log=False):
    """Softmax (log-softmax when `log`) along `dim`, stabilised by subtracting the max."""
    cdef Tensor t = _as_tensor(x)
    cdef cbool lg = log
    cdef CTensor r
    with nogil:
        r = c_softmax(t.c, dim, lg)
    return _wrap(r)
