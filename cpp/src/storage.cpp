#include "nncore/storage.hpp"

#include "nncore/allocator.hpp"

namespace nncore {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  size_t capacity = 0;
  void* data = pool_alloc(nbytes, capacity);
  try {
    return std::make_shared<Storage>(Private{}, data, nbytes, capacity, nullptr, nullptr);
  } catch (...) {
    pool_free(data, capacity);
    throw;
  }
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, Release release,
                                         void* context) {
  return std::make_shared<Storage>(Private{}, data, nbytes, 0, release, context);
}

Storage::~Storage() {
  if (release_ != nullptr) {
    release_(context_);
  } else {
    pool_free(data_, capacity_);
  }
}

}  // namespace nncore
