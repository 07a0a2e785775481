// What the pooling kernels share (pool_max.cpp, pool_avg.cpp): argument checks, output
// sizes, and the window of each output along one axis. Internal to the engine.
#pragma once

#include <cstdint>
#include <vector>

#include "nncore/conv.hpp"
#include "nncore/dtype.hpp"

namespace nncore {

// Checks x (N, H, W, C) of a float dtype and the options; returns the output size.
void pool_output_size(const char* op, const Tensor& x, const PoolOptions& o, bool dilated,
                      int64_t& oh, int64_t& ow);

// The windows along one axis: output o reads inputs [lo[o], hi[o]) (clamped to the
// input), counts `size[o]` in its divisor; input i is read by outputs [first[i], last[i]).
// Windows move forward monotonically, so each input's readers are one run of outputs.
struct AxisWindows {
  std::vector<int64_t> lo, hi, size, first, last;
};

// Strided windows of k taps (average pooling): size is the window clamped to the padded
// input (count_include_pad) or to the input itself.
AxisWindows strided_windows(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad,
                            int64_t pad_after, bool count_pad);
// PyTorch's adaptive windows: [floor(o * in / out), ceil((o + 1) * in / out)).
AxisWindows adaptive_windows(int64_t in, int64_t out);

// NHWC input with unit channel stride (the kernels vectorise over channels): x itself
// when it already has one, else a contiguous copy.
Tensor channels_dense(const Tensor& x);

}  // namespace nncore
