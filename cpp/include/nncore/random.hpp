// Randomness: a counter-based generator (Philox4x32-10).
//
// Random number i of a draw depends only on (seed, position of the draw in the stream, i),
// never on which thread computes it, so rand/randn, initializers and dropout masks are
// reproducible after manual_seed(s) for any thread count. Each draw reserves a range of
// counters from the global stream; concurrent draws get disjoint ranges.
#pragma once

#include <cstdint>

namespace nncore {

void manual_seed(uint64_t seed);
uint64_t initial_seed();

// Reserves `blocks` consecutive Philox counters (4 x 32 random bits each) from the global
// stream; returns the key and first counter to use.
struct PhiloxRange {
  uint64_t key;
  uint64_t first;
};
PhiloxRange reserve_philox(uint64_t blocks);

// The four 32-bit outputs of Philox4x32-10 for one (counter, key).
void philox4x32(uint64_t counter, uint64_t key, uint32_t out[4]);

// Uniform in [0, 1) from 24 / 53 random bits, and standard normals by Box-Muller.
inline float uniform_float(uint32_t bits) { return static_cast<float>(bits >> 8) * 0x1.0p-24f; }
inline double uniform_double(uint32_t hi, uint32_t lo) {
  return static_cast<double>(((static_cast<uint64_t>(hi) << 32) | lo) >> 11) * 0x1.0p-53;
}

}  // namespace nncore
