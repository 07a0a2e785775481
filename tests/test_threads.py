"""Threads: results are bitwise identical for 1 and 2 threads; threadpoolctl controls the pool;
the GIL is released while kernels run."""
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import nncore


@pytest.fixture
def restore_threads():
    before = nncore.get_num_threads()
    yield
    nncore.set_num_threads(before)


def _workload():
    nncore.manual_seed(123)
    a = nncore.randn(300, 700)
    b = nncore.randn(700, 257)
    big = nncore.randn(1_000_003)
    results = {
        "matmul": a @ b,
        "matmul_t": a.T.contiguous().T @ b,
        "batched": nncore.randn(40, 30, 20) @ nncore.randn(40, 20, 10),
        "f64": a.double() @ b.double(),
        "sum_all": big.sum(),
        "sum_rows": a.sum(1),
        "sum_cols": a.sum(0),
        "mean_strided": a.T.mean(0),
        "var": a.var(0),
        "max": a.max(0),
        "exp": nncore.exp(big),
        "log": nncore.log(nncore.abs(big) + 1),
        "argmax": a.argmax(1),
        "rand": nncore.rand(100_001),
    }
    return {k: v.numpy().copy() for k, v in results.items()}


def test_results_are_bitwise_identical_for_one_and_two_threads(restore_threads):
    nncore.set_num_threads(1)
    one = _workload()
    nncore.set_num_threads(2)
    two = _workload()
    for name in one:
        assert one[name].tobytes() == two[name].tobytes(), name


def test_set_num_threads(restore_threads):
    nncore.set_num_threads(1)
    assert nncore.get_num_threads() == 1
    assert nncore.info()["num_threads"] == 1
    with pytest.raises(ValueError, match="set_num_threads"):
        nncore.set_num_threads(0)


@pytest.mark.skipif(not nncore.info()["openmp"], reason="built without OpenMP")
def test_threadpoolctl_sees_and_limits_the_pool(restore_threads):
    nncore.set_num_threads(2)
    openmp = [p for p in threadpool_info() if p["user_api"] == "openmp"]
    assert openmp, "threadpoolctl does not list an OpenMP pool"
    with threadpool_limits(limits=1, user_api="openmp"):
        assert nncore.get_num_threads() == 1
    assert nncore.get_num_threads() == 2


def _ticks_and_calls(work, seconds=0.3):
    """Runs work() repeatedly for `seconds` while another Python thread ticks every 0.5 ms;
    returns (ticks, calls). Holding the GIL inside work() allows about one tick per call."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.0005)

    thread = threading.Thread(target=ticker)
    thread.start()
    calls = 0
    try:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            work()
            calls += 1
    finally:
        stop.set()
        thread.join()
    return len(ticks), calls


def test_gil_is_released_during_kernels(restore_threads):
    nncore.set_num_threads(1)
    a = nncore.randn(1500, 1500)
    ticks, calls = _ticks_and_calls(lambda: a @ a)
    assert ticks > 5 * calls


def test_thread_limit_holds_in_other_python_threads(restore_threads):
    nncore.set_num_threads(1)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(nncore.get_num_threads()))
    worker.start()
    worker.join()
    assert seen == [1]


def test_gil_is_released_during_copies(restore_threads):
    nncore.set_num_threads(1)
    a = nncore.randn(2000, 2000).T  # clone of a transposed view: a strided copy
    ticks, calls = _ticks_and_calls(lambda: a.clone())
    assert ticks > 3 * calls


# A convolution whose parallel chunks run GEMMs of different sizes (the last chunk has
# fewer rows, so its GEMM takes fewer blocks). Each chunk's GEMM runs on one thread inside
# the chunks' parallel region; had it synchronised with `omp barrier` there, the barrier
# would bind to the chunks' region and the threads would wait on each other forever.
_UNEVEN_CHUNKS = """
import numpy as np, nncore, nncore.functional as F
rng = np.random.default_rng(0)
x = rng.standard_normal((5, 1, 64, 64)).astype(np.float32)
w = rng.standard_normal((40, 1, 3, 3)).astype(np.float32)
g = np.cos(np.arange(5 * 40 * 64 * 64, dtype=np.float32)).reshape(5, 40, 64, 64)
results = []
for threads in (1, 2):
    nncore.set_num_threads(threads)
    xt, wt = nncore.tensor(x, requires_grad=True), nncore.tensor(w, requires_grad=True)
    y = F.conv2d(xt, wt, padding=1)
    y.backward(nncore.tensor(g))
    results.append([y.numpy(), xt.grad.numpy(), wt.grad.numpy()])
for a, b in zip(*results):
    assert np.array_equal(a, b)
print("ok")
"""


def test_gemms_of_different_sizes_in_parallel_chunks_finish(tmp_path):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", _UNEVEN_CHUNKS], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
