// Tensor: a strided view over refcounted storage.
//
// A tensor is (storage, dtype, shape, strides, offset). Strides and offset count elements,
// not bytes, and strides may be zero (broadcast) or negative (reversed slices). Views --
// reshape, permute/transpose, slicing, expand, squeeze/unsqueeze -- share the storage and
// only compute new (shape, strides, offset); nothing is copied until contiguous() or an op
// needs it. Ops that produce new data allocate a fresh contiguous (row-major) tensor.
//
//   Tensor x = Tensor::empty({2, 3}, DType::float32);   // uninitialised 2x3
//   Tensor xt = x.transpose(0, 1);                        // 3x2 view, strides (1, 3)
//   Tensor row = x.select(0, 1);                          // second row, a view
//   Tensor c = xt.contiguous();                           // a copy in row-major order
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "nncore/dtype.hpp"
#include "nncore/storage.hpp"

namespace nncore {

struct AutogradMeta;  // autograd.hpp

constexpr int kMaxDims = 16;

// A short list of sizes or strides held inline (no heap allocation per tensor).
class Dims {
 public:
  Dims() = default;
  Dims(std::initializer_list<int64_t> values);
  explicit Dims(const std::vector<int64_t>& values);
  static Dims filled(int n, int64_t value);

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t& operator[](int i) { return v_[i]; }
  int64_t operator[](int i) const { return v_[i]; }
  const int64_t* begin() const { return v_.data(); }
  const int64_t* end() const { return v_.data() + n_; }
  int64_t* data() { return v_.data(); }
  const int64_t* data() const { return v_.data(); }
  void push_back(int64_t value);
  void insert(int pos, int64_t value);
  void erase(int pos);
  int64_t product() const;  // throws std::invalid_argument on overflow
  bool operator==(const Dims& o) const;
  bool operator!=(const Dims& o) const { return !(*this == o); }

 private:
  std::array<int64_t, kMaxDims> v_{};
  int n_ = 0;
};

// "(2, 3)" -- how shapes appear in error messages, like NumPy prints them.
std::string shape_str(const Dims& d);

// Row-major strides of a contiguous tensor of this shape.
Dims contiguous_strides(const Dims& shape);

// Wraps a possibly negative axis into [0, ndim); `op` names the caller in the error.
int normalize_axis(int64_t axis, int ndim, const char* op);

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (no storage)
  Tensor(std::shared_ptr<Storage> storage, DType dtype, const Dims& shape, const Dims& strides,
         int64_t offset);

  // A new contiguous tensor with uninitialised contents.
  static Tensor empty(const Dims& shape, DType dtype);

  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  int ndim() const { return shape_.size(); }
  const Dims& shape() const { return shape_; }
  const Dims& strides() const { return strides_; }
  int64_t size(int dim) const { return shape_[dim]; }
  int64_t offset() const { return offset_; }
  int64_t numel() const { return numel_; }
  size_t itemsize() const { return nncore::itemsize(dtype_); }
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  bool is_contiguous() const;

  // Address of the first element (element at index (0, ..., 0)).
  void* data_ptr() const {
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(itemsize());
  }
  template <class T>
  T* data() const { return static_cast<T*>(data_ptr()); }

  // ---- views (share storage) ----
  Tensor as_strided(const Dims& shape, const Dims& strides, int64_t offset) const;
  // View with a new shape (one entry may be -1); throws if the strides do not allow it.
  Tensor view(const Dims& shape) const;
  // view() when possible, otherwise a contiguous copy.
  Tensor reshape(const Dims& shape) const;
  Tensor permute(const Dims& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  // Elements start, start+step, ... before stop (already clamped by the caller); step != 0.
  Tensor slice(int64_t dim, int64_t start, int64_t stop, int64_t step) const;
  // Removes `dim`, keeping position `index` (negative counts from the end).
  Tensor select(int64_t dim, int64_t index) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  // Broadcasts size-1 dims (and new leading dims) to `shape` with zero strides.
  Tensor expand(const Dims& shape) const;

  // ---- copies ----
  Tensor contiguous() const;  // itself when already contiguous
  Tensor clone() const;       // always a new contiguous tensor
  Tensor to(DType dtype) const;  // itself when dtype matches, else a converted copy

  // Autograd state (autograd.hpp); null for tensors that never required grad. The view
  // and copy methods above return tensors without it: they are the engine's raw
  // building blocks. The differentiable versions are the free functions in ops.hpp.
  const std::shared_ptr<AutogradMeta>& autograd() const { return autograd_; }
  void set_autograd(std::shared_ptr<AutogradMeta> meta) { autograd_ = std::move(meta); }

 private:
  std::shared_ptr<Storage> storage_;
  DType dtype_ = DType::float32;
  Dims shape_, strides_;
  int64_t offset_ = 0;
  int64_t numel_ = 0;
  std::shared_ptr<AutogradMeta> autograd_;
};

// "float32 tensor of shape (2, 3)" -- for error messages.
std::string describe(const Tensor& t);

}  // namespace nncore
