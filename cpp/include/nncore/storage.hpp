// Storage: one refcounted, 64-byte-aligned block of memory that tensors view.
//
// Storage either owns its memory (allocated here) or borrows memory owned by someone else
// (a NumPy array, for instance), in which case a release callback is called when the last
// tensor viewing it goes away. The engine knows nothing of Python: the binding layer
// passes the callback that drops its reference.
#pragma once

#include <cstddef>
#include <memory>

namespace nncore {

class Storage {
 public:
  using Release = void (*)(void* context);

  // Owned, uninitialised memory of `nbytes` bytes; throws std::bad_alloc when it cannot.
  static std::shared_ptr<Storage> allocate(size_t nbytes);
  // Borrowed memory; release(context) is called once when the storage is destroyed.
  static std::shared_ptr<Storage> borrow(void* data, size_t nbytes, Release release,
                                         void* context);

  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // Use allocate() or borrow(); public only so that make_shared can build it in place.
  struct Private {};
  Storage(Private, void* data, size_t nbytes, size_t capacity, Release release, void* context)
      : data_(data), nbytes_(nbytes), capacity_(capacity), release_(release),
        context_(context) {}

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  // Bumped by every in-place write through the engine, so autograd can tell that a tensor
  // saved for backward has changed since.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

  static constexpr size_t kAlignment = 64;

 private:
  void* data_;
  size_t nbytes_;
  size_t capacity_;  // of an owned block, as the pool gave it
  uint64_t version_ = 0;
  Release release_;
  void* context_;
};

}  // namespace nncore
