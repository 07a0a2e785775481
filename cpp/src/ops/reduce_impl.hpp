// Reduction kernels, written once and compiled once per ISA (included by kernels_<isa>.cpp
// inside namespace nncore::<isa>, after elementwise_impl.hpp, whose k_max/k_min it uses).
//
// Floating sums are computed in blocks of kSumBlock elements, each summed over kLanes
// independent lanes (vectorisable without reassociation, hence the same result on every
// ISA) and the lanes combined in a fixed tree; block sums are added in double. This keeps
// float32 sums accurate and bitwise reproducible.

constexpr int kLanes = 16;
constexpr int64_t kSumBlock = 4096;

template <class T>
inline T lanes_tree_sum(T* lane) {
  for (int width = kLanes / 2; width >= 1; width /= 2)
    for (int i = 0; i < width; ++i) lane[i] += lane[i + width];
  return lane[0];
}

template <class T>
void sum_row_floating(const void* x_, int64_t n, int64_t stride, void* acc_) {
  const T* x = static_cast<const T*>(x_);
  double total = *static_cast<double*>(acc_);
  if (stride == 1) {
    for (int64_t start = 0; start < n; start += kSumBlock) {
      const int64_t len = n - start < kSumBlock ? n - start : kSumBlock;
      const T* p = x + start;
      T lane[kLanes] = {};
      int64_t i = 0;
      for (; i + kLanes <= len; i += kLanes)
        for (int l = 0; l < kLanes; ++l) lane[l] += p[i + l];
      T block = lanes_tree_sum(lane);
      for (; i < len; ++i) block += p[i];
      total += static_cast<double>(block);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) total += static_cast<double>(x[i * stride]);
  }
  *static_cast<double*>(acc_) = total;
}

template <class T>
void sum_row_integer(const void* x_, int64_t n, int64_t stride, void* acc_) {
  const T* x = static_cast<const T*>(x_);
  int64_t total = *static_cast<int64_t*>(acc_);
  if (stride == 1) {
    for (int64_t i = 0; i < n; ++i) total += static_cast<int64_t>(x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) total += static_cast<int64_t>(x[i * stride]);
  }
  *static_cast<int64_t*>(acc_) = total;
}

template <class T, bool IsMax>
void extreme_row(const void* x_, int64_t n, int64_t stride, void* acc_) {
  const T* x = static_cast<const T*>(x_);
  T best = *static_cast<T*>(acc_);
  if (stride == 1 && n >= kLanes) {
    T lane[kLanes];
    for (int l = 0; l < kLanes; ++l) lane[l] = best;
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l)
        lane[l] = IsMax ? k_max(lane[l], x[i + l]) : k_min(lane[l], x[i + l]);
    for (int l = 0; l < kLanes; ++l) best = IsMax ? k_max(best, lane[l]) : k_min(best, lane[l]);
    for (; i < n; ++i) best = IsMax ? k_max(best, x[i]) : k_min(best, x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      best = IsMax ? k_max(best, x[i * stride]) : k_min(best, x[i * stride]);
  }
  *static_cast<T*>(acc_) = best;
}

template <class T, class Acc>
void sum_cols(const void* x_, int64_t n, void* acc_) {
  const T* x = static_cast<const T*>(x_);
  Acc* acc = static_cast<Acc*>(acc_);
  for (int64_t j = 0; j < n; ++j) acc[j] += static_cast<Acc>(x[j]);
}

template <class T, bool IsMax>
void extreme_cols(const void* x_, int64_t n, void* acc_) {
  const T* x = static_cast<const T*>(x_);
  T* acc = static_cast<T*>(acc_);
  for (int64_t j = 0; j < n; ++j) acc[j] = IsMax ? k_max(acc[j], x[j]) : k_min(acc[j], x[j]);
}

template <class T>
void fill_reduce_for(ReduceKernels& t, DType d, bool floating) {
  const int i = static_cast<int>(d);
  if (floating) {
    t.row[0][i] = &sum_row_floating<T>;
    t.cols[0][i] = &sum_cols<T, double>;
  } else {
    t.row[0][i] = &sum_row_integer<T>;
    t.cols[0][i] = &sum_cols<T, int64_t>;
  }
  t.row[1][i] = &extreme_row<T, true>;
  t.row[2][i] = &extreme_row<T, false>;
  t.cols[1][i] = &extreme_cols<T, true>;
  t.cols[2][i] = &extreme_cols<T, false>;
}

inline void fill_reduce_all(ReduceKernels& t) {
  fill_reduce_for<float>(t, DType::float32, true);
  fill_reduce_for<double>(t, DType::float64, true);
  fill_reduce_for<int32_t>(t, DType::int32, false);
  fill_reduce_for<int64_t>(t, DType::int64, false);
  fill_reduce_for<uint8_t>(t, DType::uint8, false);
  fill_reduce_for<bool>(t, DType::bool_, false);
}
