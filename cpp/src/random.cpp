#include "nncore/random.hpp"

#include <atomic>
#include <mutex>

namespace nncore {
namespace {

// A fixed default seed: a fresh process draws the same numbers until manual_seed is called.
constexpr uint64_t kDefaultSeed = 0x3d30f19cd101ULL;

std::mutex stream_mutex;
uint64_t stream_seed = kDefaultSeed;
uint64_t stream_offset = 0;

inline uint32_t mulhilo(uint32_t a, uint32_t b, uint32_t& hi) {
  const uint64_t product = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(product >> 32);
  return static_cast<uint32_t>(product);
}

}  // namespace

void manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(stream_mutex);
  stream_seed = seed;
  stream_offset = 0;
}

uint64_t initial_seed() {
  std::lock_guard<std::mutex> lock(stream_mutex);
  return stream_seed;
}

PhiloxRange reserve_philox(uint64_t blocks) {
  std::lock_guard<std::mutex> lock(stream_mutex);
  PhiloxRange range{stream_seed, stream_offset};
  stream_offset += blocks;
  return range;
}

void philox4x32(uint64_t counter, uint64_t key, uint32_t out[4]) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = mulhilo(0xD2511F53u, c0, hi0);
    const uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, hi1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

}  // namespace nncore
