"""Every instruction-set path gives NumPy's results; NNCORE_ISA only ever lowers the choice."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nncore

ORDER = ["generic", "avx2", "avx512"]


@pytest.mark.parametrize("isa", ORDER)
def test_forced_isa_runs_every_kernel_family_correctly(isa):
    env = dict(os.environ, NNCORE_ISA=isa)
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("isa_check.py"))],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    detected = nncore.info()["detected_isa"]
    expected = min(isa, detected, key=ORDER.index)
    assert result.stdout.strip() == expected


def test_info_reports_the_build():
    info = nncore.info()
    assert info["version"] == nncore.__version__
    assert info["isa"] in ORDER and info["detected_isa"] in ORDER
    assert ORDER.index(info["isa"]) <= ORDER.index(info["detected_isa"])
    assert isinstance(info["openmp"], bool) and info["num_threads"] >= 1
