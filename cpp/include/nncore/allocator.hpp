// The memory pool behind tensor storage.
//
// Training repeats the same allocations every step, so freed blocks are kept in
// size-bucketed caches (powers of two, 64 bytes to 4 MiB) and handed out again instead of
// going back to the system. Each thread has its own cache, so the pool takes no locks; a
// block freed on another thread simply joins that thread's cache. Larger blocks, and blocks
// beyond a cache's limits, go straight to the system allocator. Every block is 64-byte
// aligned.
#pragma once

#include <cstddef>

namespace nncore {

// A block of at least `nbytes` bytes; `capacity` receives its real size, which must be
// passed back to pool_free. Throws std::bad_alloc.
void* pool_alloc(size_t nbytes, size_t& capacity);
void pool_free(void* block, size_t capacity);

}  // namespace nncore
