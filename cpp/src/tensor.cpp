// Tensor construction and views. Views only compute (shape, strides, offset).
#include "nncore/tensor.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "nncore/errors.hpp"
#include "nncore/ops.hpp"

namespace nncore {

// ---------------------------------------------------------------- Dims

Dims::Dims(std::initializer_list<int64_t> values) {
  NNC_CHECK(values.size() <= kMaxDims, std::invalid_argument,
            "tensor: at most %d dimensions are supported, got %zu", kMaxDims, values.size());
  for (int64_t v : values) v_[n_++] = v;
}

Dims::Dims(const std::vector<int64_t>& values) {
  NNC_CHECK(values.size() <= kMaxDims, std::invalid_argument,
            "tensor: at most %d dimensions are supported, got %zu", kMaxDims, values.size());
  for (int64_t v : values) v_[n_++] = v;
}

Dims Dims::filled(int n, int64_t value) {
  NNC_CHECK(n >= 0 && n <= kMaxDims, std::invalid_argument,
            "tensor: at most %d dimensions are supported, got %d", kMaxDims, n);
  Dims d;
  for (int i = 0; i < n; ++i) d.v_[i] = value;
  d.n_ = n;
  return d;
}

void Dims::push_back(int64_t value) {
  NNC_CHECK(n_ < kMaxDims, std::invalid_argument,
            "tensor: at most %d dimensions are supported", kMaxDims);
  v_[n_++] = value;
}

void Dims::insert(int pos, int64_t value) {
  NNC_CHECK(n_ < kMaxDims, std::invalid_argument,
            "tensor: at most %d dimensions are supported", kMaxDims);
  for (int i = n_; i > pos; --i) v_[i] = v_[i - 1];
  v_[pos] = value;
  ++n_;
}

void Dims::erase(int pos) {
  for (int i = pos; i + 1 < n_; ++i) v_[i] = v_[i + 1];
  --n_;
}

int64_t Dims::product() const {
  int64_t p = 1;
  for (int i = 0; i < n_; ++i) {
    NNC_CHECK(v_[i] >= 0, std::invalid_argument, "tensor: negative dimension %lld in shape %s",
              static_cast<long long>(v_[i]), shape_str(*this).c_str());
    NNC_CHECK(!__builtin_mul_overflow(p, v_[i], &p), std::invalid_argument,
              "tensor: shape %s has too many elements", shape_str(*this).c_str());
  }
  return p;
}

bool Dims::operator==(const Dims& o) const {
  if (n_ != o.n_) return false;
  for (int i = 0; i < n_; ++i)
    if (v_[i] != o.v_[i]) return false;
  return true;
}

std::string shape_str(const Dims& d) {
  std::ostringstream s;
  s << "(";
  for (int i = 0; i < d.size(); ++i) s << (i ? ", " : "") << d[i];
  if (d.size() == 1) s << ",";
  s << ")";
  return s.str();
}

Dims contiguous_strides(const Dims& shape) {
  Dims strides = Dims::filled(shape.size(), 1);
  int64_t step = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    strides[i] = step;
    step *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

int normalize_axis(int64_t axis, int ndim, const char* op) {
  const int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  NNC_CHECK(axis >= lo && axis <= hi, std::out_of_range,
            "%s: dimension %lld is out of range for a tensor with %d dimensions", op,
            static_cast<long long>(axis), ndim);
  return static_cast<int>(axis < 0 ? axis + std::max(ndim, 1) : axis);
}

std::string describe(const Tensor& t) {
  return std::string(dtype_name(t.dtype())) + " tensor of shape " + shape_str(t.shape());
}

// ---------------------------------------------------------------- Tensor

Tensor::Tensor(std::shared_ptr<Storage> storage, DType dtype, const Dims& shape,
               const Dims& strides, int64_t offset)
    : storage_(std::move(storage)), dtype_(dtype), shape_(shape), strides_(strides),
      offset_(offset), numel_(shape.product()) {}

Tensor Tensor::empty(const Dims& shape, DType dtype) {
  const int64_t n = shape.product();
  size_t nbytes = 0;
  const bool overflow =
      __builtin_mul_overflow(static_cast<size_t>(n), nncore::itemsize(dtype), &nbytes);
  try {
    if (overflow) throw std::bad_alloc();
    return Tensor(Storage::allocate(nbytes), dtype, shape, contiguous_strides(shape), 0);
  } catch (const std::bad_alloc&) {
    throw out_of_memory(format_message(
        "empty: cannot allocate %.1f GiB for a %s tensor of shape %s",
        static_cast<double>(n) * nncore::itemsize(dtype) / (1 << 30), dtype_name(dtype),
        shape_str(shape).c_str()));
  }
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape_[i] == 1) continue;
    if (strides_[i] != expected) return numel_ == 0;
    expected *= shape_[i];
  }
  return true;
}

Tensor Tensor::as_strided(const Dims& shape, const Dims& strides, int64_t offset) const {
  NNC_CHECK(shape.size() == strides.size(), std::invalid_argument,
            "as_strided: shape %s and strides %s differ in length", shape_str(shape).c_str(),
            shape_str(strides).c_str());
  // Every element the view can reach must lie inside the storage.
  const int64_t n = shape.product();
  if (n > 0) {
    int64_t lo = offset, hi = offset;
    for (int i = 0; i < shape.size(); ++i) {
      const int64_t span = (shape[i] - 1) * strides[i];
      (span < 0 ? lo : hi) += span;
    }
    const int64_t capacity = static_cast<int64_t>(storage_->nbytes() / itemsize());
    NNC_CHECK(lo >= 0 && hi < capacity, std::out_of_range,
              "as_strided: view of shape %s, strides %s at offset %lld reaches outside a "
              "storage of %lld elements", shape_str(shape).c_str(), shape_str(strides).c_str(),
              static_cast<long long>(offset), static_cast<long long>(capacity));
  }
  return Tensor(storage_, dtype_, shape, strides, offset);
}

namespace {

// Replaces a single -1 by the size that makes the element count match.
Dims infer_shape(const Dims& requested, int64_t numel, const char* op, const Dims& from) {
  Dims shape = requested;
  int infer_at = -1;
  int64_t known = 1;
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      NNC_CHECK(infer_at < 0, std::invalid_argument, "%s: only one dimension can be -1, got %s",
                op, shape_str(requested).c_str());
      infer_at = i;
    } else {
      NNC_CHECK(shape[i] >= 0, std::invalid_argument, "%s: invalid shape %s", op,
                shape_str(requested).c_str());
      NNC_CHECK(!__builtin_mul_overflow(known, shape[i], &known), std::invalid_argument,
                "%s: shape %s has too many elements", op, shape_str(requested).c_str());
    }
  }
  if (infer_at >= 0) {
    NNC_CHECK(known != 0 && numel % known == 0, std::invalid_argument,
              "%s: cannot reshape a tensor of shape %s (%lld elements) into %s", op,
              shape_str(from).c_str(), static_cast<long long>(numel),
              shape_str(requested).c_str());
    shape[infer_at] = numel / known;
  }
  NNC_CHECK(shape.product() == numel, std::invalid_argument,
            "%s: cannot reshape a tensor of shape %s (%lld elements) into %s", op,
            shape_str(from).c_str(), static_cast<long long>(numel), shape_str(requested).c_str());
  return shape;
}

// Strides for viewing (old_shape, old_strides) as new_shape without copying, or false when
// the memory layout does not allow it. Groups of old dims that are contiguous with each
// other can be split or merged freely; nothing else can.
bool view_strides(const Dims& old_shape, const Dims& old_strides, const Dims& new_shape,
                  Dims& new_strides) {
  new_strides = Dims::filled(new_shape.size(), 1);
  if (old_shape.product() == 0) {
    new_strides = contiguous_strides(new_shape);
    return true;
  }
  int view_d = new_shape.size() - 1;
  int64_t chunk_base_stride = old_strides.size() ? old_strides[old_strides.size() - 1] : 1;
  int64_t tensor_numel = 1, view_numel = 1;
  for (int d = old_shape.size() - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    // A chunk ends where old dims stop being contiguous with each other.
    if (d == 0 || (old_shape[d - 1] != 1 &&
                   old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  while (view_d >= 0) {  // trailing size-1 dims of the new shape
    new_strides[view_d] = 1;
    --view_d;
  }
  return true;
}

}  // namespace

Tensor Tensor::view(const Dims& requested) const {
  const Dims shape = infer_shape(requested, numel_, "view", shape_);
  Dims strides;
  NNC_CHECK(view_strides(shape_, strides_, shape, strides), std::invalid_argument,
            "view: a tensor of shape %s and strides %s cannot be viewed as %s without a copy "
            "(use reshape)", shape_str(shape_).c_str(), shape_str(strides_).c_str(),
            shape_str(shape).c_str());
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::reshape(const Dims& requested) const {
  const Dims shape = infer_shape(requested, numel_, "reshape", shape_);
  Dims strides;
  if (view_strides(shape_, strides_, shape, strides))
    return Tensor(storage_, dtype_, shape, strides, offset_);
  return contiguous().view(shape);
}

Tensor Tensor::permute(const Dims& dims) const {
  NNC_CHECK(dims.size() == ndim(), std::invalid_argument,
            "permute: expected %d dimensions for a tensor of shape %s, got %s", ndim(),
            shape_str(shape_).c_str(), shape_str(dims).c_str());
  Dims shape, strides;
  bool seen[kMaxDims] = {};
  for (int i = 0; i < dims.size(); ++i) {
    const int d = normalize_axis(dims[i], ndim(), "permute");
    NNC_CHECK(!seen[d], std::invalid_argument, "permute: repeated dimension in %s",
              shape_str(dims).c_str());
    seen[d] = true;
    shape.push_back(shape_[d]);
    strides.push_back(strides_[d]);
  }
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  if (ndim() == 0) return *this;
  const int a = normalize_axis(dim0, ndim(), "transpose");
  const int b = normalize_axis(dim1, ndim(), "transpose");
  Dims shape = shape_, strides = strides_;
  std::swap(shape[a], shape[b]);
  std::swap(strides[a], strides[b]);
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::slice(int64_t dim, int64_t start, int64_t stop, int64_t step) const {
  const int d = normalize_axis(dim, ndim(), "slice");
  NNC_CHECK(step != 0, std::invalid_argument, "slice: step cannot be zero");
  const int64_t n = shape_[d];
  NNC_CHECK(start >= -1 && start <= n && stop >= -1 && stop <= n, std::out_of_range,
            "slice: bounds %lld:%lld out of range for dimension %d of size %lld",
            static_cast<long long>(start), static_cast<long long>(stop), d,
            static_cast<long long>(n));
  int64_t count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
  if (count < 0) count = 0;
  Dims shape = shape_, strides = strides_;
  shape[d] = count;
  strides[d] = strides_[d] * step;
  const int64_t offset = count > 0 ? offset_ + start * strides_[d] : offset_;
  return Tensor(storage_, dtype_, shape, strides, offset);
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  NNC_CHECK(ndim() > 0, std::out_of_range, "select: cannot index a 0-d tensor");
  const int d = normalize_axis(dim, ndim(), "select");
  const int64_t n = shape_[d];
  NNC_CHECK(index >= -n && index < n, std::out_of_range,
            "index %lld is out of bounds for dimension %d with size %lld",
            static_cast<long long>(index), d, static_cast<long long>(n));
  if (index < 0) index += n;
  Dims shape = shape_, strides = strides_;
  shape.erase(d);
  strides.erase(d);
  return Tensor(storage_, dtype_, shape, strides, offset_ + index * strides_[d]);
}

Tensor Tensor::squeeze() const {
  Dims shape, strides;
  for (int i = 0; i < ndim(); ++i) {
    if (shape_[i] == 1) continue;
    shape.push_back(shape_[i]);
    strides.push_back(strides_[i]);
  }
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::squeeze(int64_t dim) const {
  if (ndim() == 0) return *this;
  const int d = normalize_axis(dim, ndim(), "squeeze");
  if (shape_[d] != 1) return *this;
  Dims shape = shape_, strides = strides_;
  shape.erase(d);
  strides.erase(d);
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  const int d = normalize_axis(dim, ndim() + 1, "unsqueeze");
  Dims shape = shape_, strides = strides_;
  const int64_t stride = d < ndim() ? shape_[d] * strides_[d] : 1;
  shape.insert(d, 1);
  strides.insert(d, stride);
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::expand(const Dims& shape) const {
  NNC_CHECK(shape.size() >= ndim(), std::invalid_argument,
            "expand: cannot expand shape %s to %s (fewer dimensions)", shape_str(shape_).c_str(),
            shape_str(shape).c_str());
  const int lead = shape.size() - ndim();
  Dims strides = Dims::filled(shape.size(), 0);
  Dims out_shape = shape;
  for (int i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      NNC_CHECK(shape[i] >= 0, std::invalid_argument, "expand: invalid size %lld in %s",
                static_cast<long long>(shape[i]), shape_str(shape).c_str());
      continue;
    }
    const int64_t have = shape_[i - lead];
    const int64_t want = shape[i] == -1 ? have : shape[i];
    out_shape[i] = want;
    if (have == want) {
      strides[i] = strides_[i - lead];
    } else {
      NNC_CHECK(have == 1, std::invalid_argument,
                "expand: shape %s cannot be broadcast to %s", shape_str(shape_).c_str(),
                shape_str(shape).c_str());
    }
  }
  return Tensor(storage_, dtype_, out_shape, strides, offset_);
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape_, dtype_);
  copy_(out, *this);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out = Tensor::empty(shape_, dtype);
  copy_(out, *this);
  return out;
}

}  // namespace nncore
