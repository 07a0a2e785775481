#include "nncore/allocator.hpp"

#include <cstdlib>
#include <new>

namespace nncore {
namespace {

constexpr size_t kAlignment = 64;
constexpr int kMinShift = 6;   // 64 B
constexpr int kMaxShift = 22;  // 4 MiB
constexpr int kClasses = kMaxShift - kMinShift + 1;
constexpr int kBlocksPerClass = 8;
constexpr size_t kMaxCachedBytes = size_t(64) << 20;

int size_class(size_t nbytes) {
  int shift = kMinShift;
  while ((size_t(1) << shift) < nbytes) ++shift;
  return shift - kMinShift;
}

void* system_alloc(size_t nbytes) {
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, nbytes) != 0) throw std::bad_alloc();
  return p;
}

// Set once a thread's cache is destroyed (at thread or process exit): blocks freed after
// that go straight to the system. A plain bool has no destructor, so it stays readable.
thread_local bool cache_gone = false;

struct ThreadCache {
  void* blocks[kClasses][kBlocksPerClass];
  int count[kClasses] = {};
  size_t bytes = 0;

  void release() {
    for (int c = 0; c < kClasses; ++c) {
      for (int i = 0; i < count[c]; ++i) std::free(blocks[c][i]);
      count[c] = 0;
    }
    bytes = 0;
  }
  ~ThreadCache() {
    release();
    cache_gone = true;
  }
};

ThreadCache& cache() {
  thread_local ThreadCache instance;
  return instance;
}

}  // namespace

void* pool_alloc(size_t nbytes, size_t& capacity) {
  if (nbytes == 0) nbytes = 1;
  if (nbytes > (size_t(1) << kMaxShift)) {
    capacity = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    if (capacity < nbytes) throw std::bad_alloc();
    return system_alloc(capacity);
  }
  const int c = size_class(nbytes);
  capacity = size_t(1) << (c + kMinShift);
  if (cache_gone) return system_alloc(capacity);
  ThreadCache& tc = cache();
  if (tc.count[c] > 0) {
    tc.bytes -= capacity;
    return tc.blocks[c][--tc.count[c]];
  }
  return system_alloc(capacity);
}

void pool_free(void* block, size_t capacity) {
  if (block == nullptr) return;
  if (capacity <= (size_t(1) << kMaxShift) && !cache_gone) {
    const int c = size_class(capacity);
    ThreadCache& tc = cache();
    if (tc.count[c] < kBlocksPerClass && tc.bytes + capacity <= kMaxCachedBytes) {
      tc.blocks[c][tc.count[c]++] = block;
      tc.bytes += capacity;
      return;
    }
  }
  std::free(block);
}

}  // namespace nncore
