// The GEMM driver, BLIS-style: partition by NC -> by KC -> pack B -> partition by MC ->
// pack A -> macro-kernel (loops over NR then MR tiles) -> micro-kernel (gemm_ukr_*.cpp).
//
// Internally C is column-major-ish (unit row stride), the orientation of the kernels. A
// row-major C (unit column stride) is handled by computing C^T = B^T A^T, which is the
// same memory with strides swapped; any other C goes through a local tile.
//
// Threads share the packed blocks: inside one OpenMP region they pack B, then A,
// cooperatively (split by micro-panel), and split the macro-kernel's tiles. Every tile of
// C is computed by one micro-kernel call per KC block, in the same order, whoever runs
// it, so results are bitwise identical for any thread count.
#include "nncore/gemm.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "gemm/gemm_kernels.hpp"
#include "gemm/pack.hpp"
#include "nncore/dispatch.hpp"
#include "nncore/parallel.hpp"

namespace nncore {
namespace {

// At least MR * NR of every kernel in gemm_config.cpp (32 x 12 floats), for the edge-tile
// scratch.
constexpr int kMaxTile = 32 * 16;
// Below this many multiply-adds, starting threads costs more than it saves.
constexpr int64_t kMinParallelWork = int64_t(96) * 96 * 96;

// Packing buffers owned by the calling thread and reused across calls, so a GEMM does not
// allocate. 64-byte aligned for the kernels' aligned loads.
template <class T>
class PackBuffer {
 public:
  ~PackBuffer() { std::free(ptr_); }
  T* get(size_t n) {
    if (n > cap_) {
      std::free(ptr_);
      ptr_ = nullptr;
      cap_ = 0;
      const size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
      ptr_ = static_cast<T*>(std::aligned_alloc(64, bytes));
      if (ptr_ == nullptr) throw std::bad_alloc();
      cap_ = n;
    }
    return ptr_;
  }

 private:
  T* ptr_ = nullptr;
  size_t cap_ = 0;
};

template <class T>
struct Gemm {
  const GemmConfig<T>& cfg;
  int64_t m, n, k;
  T alpha;
  const T* a;
  int64_t rsa, csa;
  const T* b;
  int64_t rsb, csb;
  T beta;
  T* c;
  int64_t rsc, csc;
  // Block sizes for this problem: the config's, evened out so no block is a sliver.
  int64_t kc, mc, nc;
  T* apack;
  T* bpack;
  // An operand packed ahead of time (PackedB, the A of the transposed product), or null:
  // A's block (pc, ic) is at apacked + pc * mpad + ic * kc.
  const T* apacked = nullptr;
  int64_t mpad = 0;
  // B read where it lies by the config's ukr_unpacked_b (see use_unpacked_b); bpack then
  // holds one edge micro-panel (NR x kc) per thread.
  bool b_unpacked = false;
};

// Whether a product reads B unpacked: when B's columns run contiguously along k (unit row
// stride) and the kernel set can read them so. Packing such a B is a transpose (k-contiguous
// columns into NR-wide rows); skipping it pays off where A is packed ahead of time and B is
// a small per-call operand, as in the recurrent layers' per-step products, whose B packing
// otherwise costs a sizeable share of the step.
template <class T>
bool use_unpacked_b(const Gemm<T>& g) {
  return g.cfg.ukr_unpacked_b != nullptr && g.rsb == 1;
}

// Synchronises the nth threads running one product. With one thread there is nothing to
// wait for, and an `omp barrier` must not run: inside an enclosing parallel region (a gemm
// called from a parallel_for chunk runs on one thread) it would bind to that region and
// wait for the other chunks, whose products may pass a different number of barriers.
inline void barrier(int nth) {
#ifdef _OPENMP
  if (nth > 1) {
#pragma omp barrier
  }
#else
  (void)nth;
#endif
}

// [begin, end) of `units` for thread t of nth: contiguous, sizes differ by at most one.
inline void share(int64_t units, int t, int nth, int64_t& begin, int64_t& end) {
  begin = units * t / nth;
  end = units * (t + 1) / nth;
}

// Splits [0, total) into equal blocks of at most `block`, rounded up to a multiple of
// `unit` (a tail of 16 after two blocks of 384 wastes a whole C load/store pass).
inline int64_t even_block(int64_t total, int64_t block, int64_t unit) {
  const int64_t nblocks = ceil_div(total, block);
  return ceil_div(ceil_div(total, nblocks), unit) * unit;
}

// Tiles [t0, t1) of an mc x nc block of C, numbered down the columns of tiles (ir fastest):
// consecutive tiles share the B micro-panel in L1 and sweep the A block in L2.
template <class T>
void macro_kernel(const Gemm<T>& g, const T* apack, const T* bpack, int64_t mc, int64_t nc,
                  int64_t kc, T beta, T* c, int64_t t0, int64_t t1, int thread) {
  const int MR = g.cfg.mr, NR = g.cfg.nr;
  const int64_t m_panels = ceil_div(mc, MR);
  alignas(64) T tile[kMaxTile] = {};
  // Unpacked B (bpack is then B's block itself): an edge micro-panel is packed here, once
  // for the run of tiles that share it, into this thread's slot of g.bpack.
  T* edge = g.b_unpacked ? g.bpack + static_cast<int64_t>(thread) * NR * g.kc : nullptr;
  int64_t edge_jr = -1;
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t jr = t / m_panels, ir = t % m_panels;
    const int64_t nr = std::min<int64_t>(NR, nc - jr * NR);
    const int64_t mr = std::min<int64_t>(MR, mc - ir * MR);
    const T* ap = apack + ir * MR * kc;
    const T* bp = bpack + jr * NR * kc;
    T* cij = c + ir * MR * g.rsc + jr * NR * g.csc;
    if (g.b_unpacked) {
      bp = bpack + jr * NR * g.csb;
      if (g.rsc == 1 && mr == MR && nr == NR) {
        g.cfg.ukr_unpacked_b(kc, g.alpha, ap, bp, g.csb, beta, cij, g.csc);
        continue;
      }
      if (g.rsc == 1 && mr == MR && g.cfg.ukr_narrow_unpacked_b != nullptr) {
        g.cfg.ukr_narrow_unpacked_b(nr, kc, g.alpha, ap, bp, g.csb, beta, cij, g.csc);
        continue;
      }
      if (edge_jr != jr) {
        pack_panel<T>(NR, nr, kc, bp, g.csb, 1, edge);
        edge_jr = jr;
      }
      bp = edge;
    }
    if (g.rsc == 1 && mr == MR && nr == NR) {
      g.cfg.ukr(kc, g.alpha, ap, bp, beta, cij, g.csc);
      continue;
    }
    if (g.rsc == 1 && mr == MR && g.cfg.ukr_narrow != nullptr) {
      g.cfg.ukr_narrow(nr, kc, g.alpha, ap, bp, beta, cij, g.csc);
      continue;
    }
    // Edge tile or strided C: run the kernel on a local tile with the same arithmetic.
    if (beta != T(0))
      for (int64_t j = 0; j < nr; ++j)
        for (int64_t i = 0; i < mr; ++i) tile[i + j * MR] = cij[i * g.rsc + j * g.csc];
    g.cfg.ukr(kc, g.alpha, ap, bp, beta, tile, MR);
    for (int64_t j = 0; j < nr; ++j)
      for (int64_t i = 0; i < mr; ++i) cij[i * g.rsc + j * g.csc] = tile[i + j * MR];
  }
}

// The whole loop nest, run by each of nth threads (nth == 1: no OpenMP region).
template <class T>
void run(const Gemm<T>& g, int t, int nth) {
  const int MR = g.cfg.mr, NR = g.cfg.nr;
  for (int64_t jc = 0; jc < g.n; jc += g.nc) {
    const int64_t nc = std::min(g.nc, g.n - jc);
    const int64_t n_panels = ceil_div(nc, NR);
    for (int64_t pc = 0; pc < g.k; pc += g.kc) {
      const int64_t kc = std::min(g.kc, g.k - pc);
      // Later KC blocks accumulate onto what the first one wrote.
      const T beta = pc == 0 ? g.beta : T(1);

      int64_t q0, q1;
      const T* bpack = g.b_unpacked ? g.b + pc * g.rsb + jc * g.csb : g.bpack;
      if (!g.b_unpacked) {
        share(n_panels, t, nth, q0, q1);
        pack_block<T>(NR, nc, kc, g.b + pc * g.rsb + jc * g.csb, g.csb, g.rsb, g.bpack, q0,
                      q1);
        barrier(nth);
      }

      for (int64_t ic = 0; ic < g.m; ic += g.mc) {
        const int64_t mc = std::min(g.mc, g.m - ic);
        const int64_t m_panels = ceil_div(mc, MR);
        const T* apack = g.apacked != nullptr ? g.apacked + pc * g.mpad + ic * kc : g.apack;
        if (g.apacked == nullptr) {
          share(m_panels, t, nth, q0, q1);
          pack_block<T>(MR, mc, kc, g.a + ic * g.rsa + pc * g.csa, g.rsa, g.csa, g.apack, q0,
                        q1);
          barrier(nth);
        }

        // Threads take equal contiguous runs of tiles (numbered ir fastest), so a block
        // with few A panels (m = 128 has 4) still splits evenly, in effect along N.
        int64_t t0, t1;
        share(m_panels * n_panels, t, nth, t0, t1);
        macro_kernel(g, apack, bpack, mc, nc, kc, beta, g.c + ic * g.rsc + jc * g.csc, t0, t1,
                     t);
        // Everyone is done with this A block (and, at the end, the B block) before the
        // next one is packed over it.
        barrier(nth);
      }
    }
  }
}

template <class T>
void scale(int64_t m, int64_t n, T beta, T* c, int64_t rsc, int64_t csc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& x = c[i * rsc + j * csc];
      x = beta == T(0) ? T(0) : beta * x;  // beta == 0 must not propagate NaN from C
    }
}

template <class T>
void launch(Gemm<T>& g);

template <class T>
void gemm_impl(const GemmConfig<T>& cfg, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
               int64_t rsa, int64_t csa, const T* b, int64_t rsb, int64_t csb, T beta, T* c,
               int64_t rsc, int64_t csc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == T(0)) {
    if (beta != T(1)) scale(m, n, beta, c, rsc, csc);
    return;
  }
  // The kernels write columns of C: a row-major C is C^T = B^T A^T with unit row stride.
  if (rsc != 1 && csc == 1) {
    std::swap(m, n);
    std::swap(a, b);
    std::swap(rsa, csb);
    std::swap(csa, rsb);
    std::swap(rsc, csc);
  }

  Gemm<T> g{cfg, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc,
           even_block(k, cfg.kc, 1), even_block(m, cfg.mc, cfg.mr),
           even_block(n, cfg.nc, cfg.nr), nullptr, nullptr};
  launch(g);
}

template <class T>
void launch(Gemm<T>& g) {
  const int64_t m = g.m, n = g.n, k = g.k;
  int nth = get_num_threads();
#ifdef _OPENMP
  if (omp_in_parallel()) nth = 1;
#endif
  if (m * n * k < kMinParallelWork) nth = 1;

  thread_local PackBuffer<T> abuf, bbuf;
  if (g.apacked == nullptr) g.apack = abuf.get(static_cast<size_t>(g.mc * g.kc));
  g.bpack = bbuf.get(static_cast<size_t>(g.b_unpacked ? nth * g.cfg.nr * g.kc : g.nc * g.kc));
  if (nth <= 1) return run(g, 0, 1);
#ifdef _OPENMP
  // Nothing in run() throws (buffers are allocated above), so no exception can escape.
#pragma omp parallel num_threads(nth)
  run(g, omp_get_thread_num(), omp_get_num_threads());
#endif
}

// C = alpha A @ B + beta C for a row-major C and a pre-packed B: the transposed product
// C^T = B^T A^T, as gemm_impl computes it, with its A operand already packed.
template <class T>
void gemm_packed_impl(const GemmConfig<T>& cfg, int64_t m, T alpha, const T* a, int64_t rsa,
                      int64_t csa, const PackedB<T>& b, T beta, T* c, int64_t rsc) {
  const int64_t n = b.n(), k = b.k();
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == T(0)) {
    if (beta != T(1)) scale(m, n, beta, c, rsc, int64_t(1));
    return;
  }
  Gemm<T> g{cfg, n, m, k, alpha, nullptr, 0, 0, a, csa, rsa, beta, c, 1, rsc,
           even_block(k, cfg.kc, 1), even_block(n, cfg.mc, cfg.mr),
           even_block(m, cfg.nc, cfg.nr), nullptr, nullptr};
  g.apacked = b.data();
  g.mpad = ceil_div(n, cfg.mr) * cfg.mr;
  g.b_unpacked = use_unpacked_b(g);
  launch(g);
}

template <class T>
const GemmConfig<T>& active_config() {
  if constexpr (sizeof(T) == 4) return gemm_config_f32(active_isa());
  else return gemm_config_f64(active_isa());
}

}  // namespace

template <class T>
PackedB<T>::PackedB(int64_t k, int64_t n, const T* b, int64_t rsb, int64_t csb)
    : k_(k), n_(n) {
  // Packed as gemm_impl packs the A operand of C^T = B^T A^T: blocks by KC along k, then
  // MC along n, each a run of MR-wide micro-panels.
  const GemmConfig<T>& cfg = active_config<T>();
  if (k <= 0 || n <= 0) return;
  const int64_t kc = even_block(k, cfg.kc, 1), mc = even_block(n, cfg.mc, cfg.mr);
  const int64_t mpad = ceil_div(n, cfg.mr) * cfg.mr;
  const size_t bytes = (static_cast<size_t>(mpad * k) * sizeof(T) + 63) / 64 * 64;
  T* data = static_cast<T*>(std::aligned_alloc(64, bytes));
  if (data == nullptr) throw std::bad_alloc();
  data_ = std::shared_ptr<T>(data, [](T* p) { std::free(p); });
  for (int64_t pc = 0; pc < k; pc += kc) {
    const int64_t kcur = std::min(kc, k - pc);
    for (int64_t ic = 0; ic < n; ic += mc) {
      const int64_t mcur = std::min(mc, n - ic);
      pack_block<T>(cfg.mr, mcur, kcur, b + ic * csb + pc * rsb, csb, rsb,
                    data + pc * mpad + ic * kcur, 0, ceil_div(mcur, cfg.mr));
    }
  }
}

template class PackedB<float>;
template class PackedB<double>;

void gemm(int64_t m, float alpha, const float* a, int64_t rsa, int64_t csa,
          const PackedB<float>& b, float beta, float* c, int64_t rsc) {
  gemm_packed_impl(active_config<float>(), m, alpha, a, rsa, csa, b, beta, c, rsc);
}

void gemm(int64_t m, double alpha, const double* a, int64_t rsa, int64_t csa,
          const PackedB<double>& b, double beta, double* c, int64_t rsc) {
  gemm_packed_impl(active_config<double>(), m, alpha, a, rsa, csa, b, beta, c, rsc);
}

void gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rsa,
          int64_t csa, const float* b, int64_t rsb, int64_t csb, float beta, float* c,
          int64_t rsc, int64_t csc) {
  gemm_impl(gemm_config_f32(active_isa()), m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c,
            rsc, csc);
}

void gemm(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rsa,
          int64_t csa, const double* b, int64_t rsb, int64_t csb, double beta, double* c,
          int64_t rsc, int64_t csc) {
  gemm_impl(gemm_config_f64(active_isa()), m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c,
            rsc, csc);
}

}  // namespace nncore
