#include "nncore/parallel.hpp"

#include <stdexcept>

#include "nncore/errors.hpp"

namespace nncore {

int get_num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void set_num_threads(int n) {
  NNC_CHECK(n >= 1, std::invalid_argument, "set_num_threads: expected n >= 1, got %d", n);
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
