# Threads, randomness and build information.

def set_num_threads(int n):
    """Threads used by nncore's kernels (OpenMP); threadpoolctl limits the same pool."""
    c_set_num_threads(n)


def get_num_threads():
    return c_get_num_threads()


def manual_seed(seed):
    """Seeds the global random stream (rand, randn, initializers, dropout)."""
    seed = _operator.index(seed)
    if seed < 0:
        seed &= (1 << 64) - 1
    c_manual_seed(<uint64_t>seed)


def initial_seed():
    return c_initial_seed()


def _build_info():
    return {
        "isa": c_isa_name(c_active_isa()).decode(),
        "detected_isa": c_isa_name(c_detected_isa()).decode(),
        "openmp": c_openmp_enabled(),
        "num_threads": c_get_num_threads(),
    }
