# Autograd in the binding: grad_fn objects, backward, grad mode, custom-function nodes.
from cpython.ref cimport PyObject, Py_INCREF, Py_DECREF


cdef class GradFn:
    """A node of the autograd graph (read-only view), e.g. <MulBackward>."""
    cdef shared_ptr[Node] node

    def name(self):
        return self.node.get().name().decode()

    @property
    def next_functions(self):
        """(GradFn or None, input number) for each input of the op."""
        cdef const vector[Edge]* edges = &self.node.get().next_edges()
        result = []
        for i in range(edges.size()):
            if edges.at(i).node:
                result.append((_grad_fn(edges.at(i).node), edges.at(i).input_nr))
            else:
                result.append((None, 0))
        return tuple(result)

    def __eq__(self, other):
        return isinstance(other, GradFn) and (<GradFn>other).node.get() == self.node.get()

    def __hash__(self):
        return hash(<size_t>self.node.get())

    def __repr__(self):
        return f"<{self.name()}>"


cdef object _grad_fn(shared_ptr[Node] node):
    if not node:
        return None
    cdef GradFn fn = GradFn.__new__(GradFn)
    fn.node = node
    return fn


def is_grad_enabled():
    return c_grad_enabled()


def _set_grad_enabled(bint enabled):
    c_set_grad_enabled(enabled)


# A Python exception raised inside a custom function's backward, waiting to be re-raised
# by the backward() call that ran it (C++ carries only the fact that it failed).
cdef object _pending_backward_error = None


def _run_backward(list roots, list grads, bint retain_graph):
    global _pending_backward_error
    cdef vector[CTensor] c_roots, c_grads
    cdef CTensor undefined
    for r, g in zip(roots, grads):
        c_roots.push_back((<Tensor>r).c)
        c_grads.push_back(undefined if g is None else (<Tensor>_as_tensor(g)).c)
    _pending_backward_error = None
    try:
        with nogil:
            c_backward(c_roots, c_grads, retain_graph)
    except RuntimeError:
        error, _pending_backward_error = _pending_backward_error, None
        if error is not None:
            raise error
        raise


cdef cbool _callback_backward(void* context, const vector[CTensor]& grad_outputs,
                             vector[CTensor]& grad_inputs) noexcept with gil:
    global _pending_backward_error
    cdef CTensor undefined
    cdef CTensor value
    try:
        handler = <object>context
        grads = []
        for i in range(grad_outputs.size()):
            value = grad_outputs[i]
            grads.append(_wrap(value) if value.defined() else None)
        results = handler(grads)
        for g in results:
            grad_inputs.push_back(undefined if g is None else (<Tensor>g).c)
        return True
    except BaseException as error:
        _pending_backward_error = error
        return False


cdef void _callback_release(void* context) noexcept with gil:
    Py_DECREF(<object>context)


def _record_function(str name, list inputs, list outputs, object handler):
    """Connects `outputs` to `inputs` through a node whose backward calls
    handler(list of output gradients) -> list of input gradients."""
    cdef vector[CTensor] c_inputs, c_outputs
    for t in inputs:
        c_inputs.push_back((<Tensor>t).c)
    for t in outputs:
        c_outputs.push_back((<Tensor>t).c)
    Py_INCREF(handler)
    try:
        c_record_callback_node(name.encode(), c_inputs, c_outputs, _callback_backward,
                               _callback_release, <void*>handler)
    except BaseException:
        Py_DECREF(handler)
        raise
    for i, t in enumerate(outputs):
        (<Tensor>t).c = c_outputs[i]


cdef int _check_inplace(Tensor target, object value, str op) except -1:
    """In-place writes are not recorded by autograd, so they are refused where they would
    silently break a gradient."""
    if not c_grad_enabled():
        return 0
    if c_requires_grad(target.c):
        raise ValueError(f"{op}: a tensor that requires grad cannot be modified in place "
                         f"while grad mode is on (update parameters inside nncore.no_grad())")
    if isinstance(value, Tensor) and c_requires_grad((<Tensor>value).c):
        raise ValueError(f"{op}: writing a tensor that requires grad into another tensor in "
                         f"place is not differentiable; build the result with ops instead")
    return 0
