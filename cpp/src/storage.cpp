#include "nncore/storage.hpp"

#include <cstdlib>
#include <new>

namespace nncore {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  void* data = nullptr;
  // Round up so that even zero-size tensors have a valid, aligned, freeable pointer.
  size_t padded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (padded == 0) padded = kAlignment;
  if (padded < nbytes || posix_memalign(&data, kAlignment, padded) != 0) throw std::bad_alloc();
  return std::shared_ptr<Storage>(new Storage(data, nbytes, nullptr, nullptr));
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, Release release,
                                         void* context) {
  return std::shared_ptr<Storage>(new Storage(data, nbytes, release, context));
}

Storage::~Storage() {
  if (release_ != nullptr) {
    release_(context_);
  } else {
    std::free(data_);
  }
}

}  // namespace nncore
