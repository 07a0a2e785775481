// How work is split across threads.
//
// Every parallel op goes through parallel_for. The range [0, n) is cut into chunks of
// `grain` items; chunk boundaries depend only on n and grain, never on the thread count,
// so an op that reduces within a chunk and combines chunk results in index order gives
// bitwise identical results for any number of threads. Ranges of at most one chunk run
// inline on the calling thread: tiny tensors pay no threading cost.
#pragma once

#include <cstdint>
#include <exception>
#include <mutex>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace nncore {

// Threads used by parallel regions started from the calling thread. Mirrors OpenMP's
// omp_get_max_threads / omp_set_num_threads, so threadpoolctl's limits apply to nncore.
int get_num_threads();
void set_num_threads(int n);
bool openmp_enabled();

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// fn(begin, end) is called once per chunk [begin, end) of [0, n). An exception thrown by
// fn is captured and rethrown on the calling thread after the region (an exception must
// never escape an OpenMP region).
template <class Fn>
void parallel_for(int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int64_t chunks = ceil_div(n, grain);
#ifdef _OPENMP
  if (chunks > 1 && get_num_threads() > 1 && !omp_in_parallel()) {
    std::exception_ptr error;
    std::mutex error_mutex;
#pragma omp parallel for schedule(static) num_threads(get_num_threads())
    for (int64_t c = 0; c < chunks; ++c) {
      try {
        const int64_t begin = c * grain;
        const int64_t end = begin + grain < n ? begin + grain : n;
        fn(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
    return;
  }
#endif
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * grain;
    const int64_t end = begin + grain < n ? begin + grain : n;
    fn(begin, end);
  }
}

}  // namespace nncore
