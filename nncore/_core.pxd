# Declarations of the C++ engine (cpp/include/nncore) for the binding in _core.pyx.
# Every engine entry point is `except +` (C++ exceptions become Python ones) and `nogil`
# (the binding releases the GIL around it).
from libc.stdint cimport int64_t, uint64_t, uint32_t
from libcpp cimport bool as cbool
from libcpp.memory cimport shared_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector


cdef extern from "nncore/dtype.hpp" namespace "nncore" nogil:
    enum class DTypeCode "nncore::DType":
        float32
        float64
        int32
        int64
        uint8
        bool_
    size_t itemsize(DTypeCode)
    const char* dtype_name(DTypeCode)


cdef extern from "nncore/storage.hpp" namespace "nncore" nogil:
    cdef cppclass Storage:
        ctypedef void (*Release)(void*)
        @staticmethod
        shared_ptr[Storage] borrow(void* data, size_t nbytes, void (*release)(void*) noexcept,
                                   void* context) except +
        void* data()
        size_t nbytes()


cdef extern from "nncore/tensor.hpp" namespace "nncore" nogil:
    const int kMaxDims

    cdef cppclass Dims:
        Dims()
        int size()
        int64_t operator[](int)
        void push_back(int64_t) except +

    cdef cppclass CTensor "nncore::Tensor":
        CTensor()
        CTensor(shared_ptr[Storage], DTypeCode, const Dims&, const Dims&, int64_t) except +
        @staticmethod
        CTensor empty(const Dims&, DTypeCode) except +
        cbool defined()
        DTypeCode dtype()
        int ndim()
        const Dims& shape()
        const Dims& strides()
        int64_t size(int)
        int64_t offset()
        int64_t numel()
        size_t itemsize()
        const shared_ptr[Storage]& storage()
        cbool is_contiguous()
        void* data_ptr()
        CTensor view(const Dims&) except +
        CTensor reshape(const Dims&) except +
        CTensor permute(const Dims&) except +
        CTensor transpose(int64_t, int64_t) except +
        CTensor slice(int64_t, int64_t, int64_t, int64_t) except +
        CTensor select(int64_t, int64_t) except +
        CTensor squeeze() except +
        CTensor squeeze(int64_t) except +
        CTensor unsqueeze(int64_t) except +
        CTensor expand(const Dims&) except +
        CTensor contiguous() except +
        CTensor clone() except +
        CTensor to(DTypeCode) except +

    string shape_str(const Dims&)


cdef extern from "nncore/ops.hpp" namespace "nncore" nogil:
    enum class BinaryOp "nncore::BinaryOp":
        add
        sub
        mul
        div
        pow
        maximum
        minimum
        eq
        ne
        lt
        le
        gt
        ge

    enum class UnaryOp "nncore::UnaryOp":
        neg
        exp
        log
        sqrt
        abs

    enum class ReduceOp "nncore::ReduceOp":
        sum
        mean
        max
        min

    CTensor c_binary "nncore::binary"(BinaryOp, const CTensor&, const CTensor&) except +
    CTensor c_unary "nncore::unary"(UnaryOp, const CTensor&) except +
    CTensor c_clip "nncore::clip"(const CTensor&, cbool, double, cbool, double) except +
    CTensor c_where "nncore::where"(const CTensor&, const CTensor&, const CTensor&) except +
    void c_copy_ "nncore::copy_"(const CTensor&, const CTensor&) except +
    void c_fill_ "nncore::fill_"(const CTensor&, double) except +
    CTensor c_reduce "nncore::reduce"(ReduceOp, const CTensor&, const Dims&, cbool) except +
    CTensor c_reduce_all "nncore::reduce_all"(ReduceOp, const CTensor&, cbool) except +
    CTensor c_var "nncore::var"(const CTensor&, const Dims&, cbool, int64_t, cbool) except +
    CTensor c_argmax "nncore::argmax"(const CTensor&, int64_t, cbool, cbool) except +
    CTensor c_argmin "nncore::argmin"(const CTensor&, int64_t, cbool, cbool) except +
    CTensor c_matmul "nncore::matmul"(const CTensor&, const CTensor&) except +
    CTensor c_linear "nncore::linear"(const CTensor&, const CTensor&, const CTensor&) except +
    CTensor c_full "nncore::full"(const Dims&, double, DTypeCode) except +
    CTensor c_arange "nncore::arange"(double, double, double, DTypeCode) except +
    CTensor c_eye "nncore::eye"(int64_t, int64_t, DTypeCode) except +
    CTensor c_rand "nncore::rand"(const Dims&, DTypeCode) except +
    CTensor c_randn "nncore::randn"(const Dims&, DTypeCode) except +


cdef extern from "nncore/ops.hpp" namespace "nncore" nogil:
    # Differentiable views and copies.
    CTensor c_reshape "nncore::reshape"(const CTensor&, const Dims&) except +
    CTensor c_view "nncore::view"(const CTensor&, const Dims&) except +
    CTensor c_permute "nncore::permute"(const CTensor&, const Dims&) except +
    CTensor c_transpose "nncore::transpose"(const CTensor&, int64_t, int64_t) except +
    CTensor c_slice "nncore::slice"(const CTensor&, int64_t, int64_t, int64_t, int64_t) except +
    CTensor c_select "nncore::select"(const CTensor&, int64_t, int64_t) except +
    CTensor c_squeeze_all "nncore::squeeze"(const CTensor&) except +
    CTensor c_squeeze "nncore::squeeze"(const CTensor&, int64_t) except +
    CTensor c_unsqueeze "nncore::unsqueeze"(const CTensor&, int64_t) except +
    CTensor c_expand "nncore::expand"(const CTensor&, const Dims&) except +
    CTensor c_contiguous "nncore::contiguous"(const CTensor&) except +
    CTensor c_clone "nncore::clone"(const CTensor&) except +
    CTensor c_to_dtype "nncore::to_dtype"(const CTensor&, DTypeCode) except +
    CTensor c_index_select "nncore::index_select"(const CTensor&, int64_t, const CTensor&) except +
    CTensor c_nonzero_flat "nncore::nonzero_flat"(const CTensor&) except +


cdef extern from "nncore/autograd.hpp" namespace "nncore" nogil:
    cdef cppclass Node:
        string name()
        int num_outputs()
        const vector[Edge]& next_edges()

    cdef cppclass Edge:
        shared_ptr[Node] node
        int input_nr

    ctypedef cbool (*CallbackBackward)(void*, const vector[CTensor]&, vector[CTensor]&) noexcept
    ctypedef void (*CallbackRelease)(void*) noexcept

    cbool c_grad_enabled "nncore::grad_enabled"()
    void c_set_grad_enabled "nncore::set_grad_enabled"(cbool)
    cbool c_requires_grad "nncore::requires_grad"(const CTensor&)
    void c_set_requires_grad "nncore::set_requires_grad"(CTensor&, cbool) except +
    cbool c_is_leaf "nncore::is_leaf"(const CTensor&)
    CTensor c_grad_of "nncore::grad_of"(const CTensor&)
    void c_set_grad "nncore::set_grad"(CTensor&, const CTensor&) except +
    shared_ptr[Node] c_grad_fn "nncore::grad_fn"(const CTensor&)
    void c_retain_grad "nncore::retain_grad"(CTensor&) except +
    cbool c_retains_grad "nncore::retains_grad"(const CTensor&)
    CTensor c_detach "nncore::detach"(const CTensor&)
    void c_backward "nncore::backward"(const vector[CTensor]&, const vector[CTensor]&,
                                       cbool) except +
    shared_ptr[Node] c_record_callback_node "nncore::record_callback_node"(
        const string&, const vector[CTensor]&, vector[CTensor]&, CallbackBackward,
        CallbackRelease, void*) except +


cdef extern from "nncore/gemm.hpp" namespace "nncore" nogil:
    void c_gemm "nncore::gemm"(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa,
              int64_t csa, const float* b, int64_t rsb, int64_t csb, float beta, float* c,
              int64_t rsc, int64_t csc) except +
    void c_gemm "nncore::gemm"(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa,
              int64_t csa, const double* b, int64_t rsb, int64_t csb, double beta, double* c,
              int64_t rsc, int64_t csc) except +


cdef extern from "nncore/parallel.hpp" namespace "nncore" nogil:
    int c_get_num_threads "nncore::get_num_threads"()
    void c_set_num_threads "nncore::set_num_threads"(int) except +
    cbool c_openmp_enabled "nncore::openmp_enabled"()


cdef extern from "nncore/dispatch.hpp" namespace "nncore" nogil:
    enum class Isa "nncore::Isa":
        generic
        avx2
        avx512
    Isa c_active_isa "nncore::active_isa"()
    Isa c_detected_isa "nncore::detected_isa"()
    const char* c_isa_name "nncore::isa_name"(Isa)


cdef extern from "nncore/random.hpp" namespace "nncore" nogil:
    void c_manual_seed "nncore::manual_seed"(uint64_t)
    uint64_t c_initial_seed "nncore::initial_seed"()


cdef class Tensor:
    cdef CTensor c
    # Shape and strides in the form the buffer protocol hands to NumPy.
    cdef Py_ssize_t _buf_shape[16]
    cdef Py_ssize_t _buf_strides[16]


# ---- the C API for native plugins ------------------------------------------------------
# A plugin's Cython module cimports these from nncore._core; Cython hands them over as
# function pointers through the module's capsule table (__pyx_capi__), checked against
# these signatures when the plugin is imported, so a plugin never links against nncore's
# symbols. From plugin code use these and CTensor's inline accessors (shape, strides,
# numel, dtype, data_ptr), not CTensor's other methods, which live inside nncore's module.
cdef CTensor plugin_tensor(object t) except *
cdef CTensor plugin_contiguous(const CTensor& t) except *
cdef CTensor plugin_empty(const Dims& shape, DTypeCode dtype) except *
cdef Tensor plugin_wrap(const CTensor& t)


cdef extern from "nncore/conv.hpp" namespace "nncore" nogil:
    cdef cppclass ConvOptions "nncore::ConvOptions":
        ConvOptions()
        int64_t stride_h, stride_w
        int64_t pad_top, pad_bottom, pad_left, pad_right
        int64_t dilation_h, dilation_w
        int64_t groups

    cdef cppclass PoolOptions "nncore::PoolOptions":
        PoolOptions()
        int64_t kernel_h, kernel_w
        int64_t stride_h, stride_w
        int64_t pad_top, pad_bottom, pad_left, pad_right
        int64_t dilation_h, dilation_w
        cbool ceil_mode
        cbool count_include_pad
        int64_t divisor_override

    CTensor c_conv2d "nncore::conv2d"(const CTensor&, const CTensor&, const CTensor&,
                                      const ConvOptions&) except +
    CTensor c_conv_transpose2d "nncore::conv_transpose2d"(
        const CTensor&, const CTensor&, const CTensor&, const ConvOptions&, int64_t,
        int64_t) except +
    CTensor c_max_pool2d "nncore::max_pool2d"(const CTensor&, const PoolOptions&) except +
    CTensor c_max_pool2d_with_indices "nncore::max_pool2d_with_indices"(
        const CTensor&, const PoolOptions&, CTensor&) except +
    CTensor c_avg_pool2d "nncore::avg_pool2d"(const CTensor&, const PoolOptions&) except +
    CTensor c_adaptive_avg_pool2d "nncore::adaptive_avg_pool2d"(const CTensor&, int64_t,
                                                                int64_t) except +
# Recurrent ops (cpp/include/nncore/rnn.hpp), bound in _rnn.pxi. The activations the
# recurrent kernels accept, declared under their own name (the full Activation enum is
# declared in _activations.pxi).
cdef extern from "nncore/rnn.hpp" namespace "nncore" nogil:
    enum class RnnActivation "nncore::Activation":
        linear
        sigmoid
        hard_sigmoid
        tanh
        relu

    cdef cppclass RnnOptions "nncore::RnnOptions":
        RnnActivation activation
        RnnActivation recurrent_activation
        cbool go_backwards
        cbool reset_after
        cbool return_sequences

    cdef cppclass RnnOutputs "nncore::RnnOutputs":
        CTensor output
        CTensor h_n
        CTensor c_n

    RnnOutputs c_simple_rnn "nncore::simple_rnn"(
        const CTensor& x, const CTensor& h0, const CTensor& kernel,
        const CTensor& recurrent_kernel, const CTensor& bias, const CTensor& mask,
        const CTensor& recurrent_mask, const RnnOptions& options) except +
    RnnOutputs c_lstm "nncore::lstm"(
        const CTensor& x, const CTensor& h0, const CTensor& c0, const CTensor& kernel,
        const CTensor& recurrent_kernel, const CTensor& bias, const CTensor& mask,
        const CTensor& recurrent_mask, const RnnOptions& options) except +
    RnnOutputs c_gru "nncore::gru"(
        const CTensor& x, const CTensor& h0, const CTensor& kernel,
        const CTensor& recurrent_kernel, const CTensor& bias, const CTensor& mask,
        const CTensor& recurrent_mask, const RnnOptions& options) except +
