#include "nncore/parallel.hpp"

#include <atomic>
#include <stdexcept>

#include "nncore/errors.hpp"

namespace nncore {

namespace {
// Set by set_num_threads for every thread of the process (0: not set, use OpenMP's default).
std::atomic<int> process_threads{0};
}  // namespace

int get_num_threads() {
#ifdef _OPENMP
  // OpenMP's count is per calling thread (threadpoolctl limits it there); ours applies to
  // every thread, so a limit set from the main thread also holds in worker threads.
  const int omp = omp_get_max_threads();
  const int ours = process_threads.load(std::memory_order_relaxed);
  return ours > 0 && ours < omp ? ours : omp;
#else
  return 1;
#endif
}

void set_num_threads(int n) {
  NNC_CHECK(n >= 1, std::invalid_argument, "set_num_threads: expected n >= 1, got %d", n);
  process_threads.store(n, std::memory_order_relaxed);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
}

bool openmp_enabled() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

}  // namespace nncore
