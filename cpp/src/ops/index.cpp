// Gathering and scatter-adding rows by an index tensor.
#include <stdexcept>

#include "autograd/formula_node.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"

namespace nncore {
namespace {

// The index as int64 values, checked against the dimension's size.
std::vector<int64_t> read_index(const Tensor& index, int64_t size, const char* op) {
  NNC_CHECK(index.ndim() <= 1, std::invalid_argument,
            "%s: index must be 0-d or 1-d, got shape %s", op, shape_str(index.shape()).c_str());
  if (index.dtype() != DType::int64 && index.dtype() != DType::int32)
    throw dtype_error(format_message("%s: index must be int64 or int32, got %s", op,
                                     describe(index).c_str()));
  const Tensor idx = index.to(DType::int64).contiguous();
  std::vector<int64_t> out(idx.data<int64_t>(), idx.data<int64_t>() + idx.numel());
  for (int64_t& i : out) {
    NNC_CHECK(i >= -size && i < size, std::out_of_range,
              "%s: index %lld is out of bounds for dimension with size %lld", op,
              static_cast<long long>(i), static_cast<long long>(size));
    if (i < 0) i += size;
  }
  return out;
}

std::vector<Tensor> index_select_backward(const FormulaNode& n, const Tensor& g) {
  Tensor grad = full(n.shape[0], 0.0, g.dtype());
  index_add_(grad, n.ints[0], n.saved(0), g);
  return {grad};
}

}  // namespace

Tensor index_select(const Tensor& a, int64_t dim_in, const Tensor& index) {
  NNC_CHECK(a.ndim() > 0, std::invalid_argument, "index_select: cannot index a 0-d tensor");
  const int dim = normalize_axis(dim_in, a.ndim(), "index_select");
  const std::vector<int64_t> idx = read_index(index, a.size(dim), "index_select");
  Dims shape = a.shape();
  shape[dim] = static_cast<int64_t>(idx.size());
  Tensor out = Tensor::empty(shape, a.dtype());
  for (size_t i = 0; i < idx.size(); ++i)
    copy_(out.select(dim, static_cast<int64_t>(i)), a.select(dim, idx[i]));
  if (should_record(a)) {
    FormulaNode& node = record("IndexSelectBackward", index_select_backward, {&a}, out);
    node.shape[0] = a.shape();
    node.ints[0] = dim;
    node.save(index);
  }
  return out;
}

void index_add_(const Tensor& dst, int64_t dim_in, const Tensor& index, const Tensor& src) {
  const int dim = normalize_axis(dim_in, dst.ndim(), "index_add_");
  const std::vector<int64_t> idx = read_index(index, dst.size(dim), "index_add_");
  NNC_CHECK(src.ndim() == dst.ndim() && src.size(dim) == static_cast<int64_t>(idx.size()),
            std::invalid_argument, "index_add_: source of shape %s does not match %zu indices "
            "into %s", shape_str(src.shape()).c_str(), idx.size(), describe(dst).c_str());
  for (size_t i = 0; i < idx.size(); ++i) {
    const Tensor row = dst.select(dim, idx[i]);
    copy_(row, binary(BinaryOp::add, row, src.select(dim, static_cast<int64_t>(i))));
  }
}

Tensor nonzero_flat(const Tensor& mask) {
  if (mask.dtype() != DType::bool_)
    throw dtype_error(format_message("nonzero: expected a bool tensor, got %s",
                                     describe(mask).c_str()));
  const Tensor flat = mask.contiguous();
  const bool* m = flat.data<bool>();
  int64_t count = 0;
  for (int64_t i = 0; i < flat.numel(); ++i) count += m[i];
  Tensor out = Tensor::empty(Dims{count}, DType::int64);
  int64_t* o = out.data<int64_t>();
  for (int64_t i = 0, j = 0; i < flat.numel(); ++i)
    if (m[i]) o[j++] = i;
  return out;
}

}  // namespace nncore
