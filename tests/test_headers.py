"""The C++ headers ship with the package and compile on their own (for native plugins)."""
import os
import shutil
import subprocess

import pytest

import nncore

HEADERS = ["tensor.hpp", "ops.hpp", "autograd.hpp", "gemm.hpp", "parallel.hpp", "dtype.hpp",
           "storage.hpp", "errors.hpp", "dispatch.hpp", "random.hpp", "losses.hpp"]


def test_get_include_holds_the_public_headers():
    folder = os.path.join(nncore.get_include(), "nncore")
    missing = [h for h in HEADERS if not os.path.isfile(os.path.join(folder, h))]
    assert not missing, f"missing from {folder}: {missing}"


@pytest.mark.skipif(shutil.which("c++") is None, reason="no C++ compiler")
@pytest.mark.parametrize("header", HEADERS)
def test_each_header_compiles_on_its_own(header, tmp_path):
    source = tmp_path / "probe.cpp"
    source.write_text(f"#include <nncore/{header}>\nint main() {{ return 0; }}\n")
    result = subprocess.run(["c++", "-std=c++17", "-fsyntax-only", "-I", nncore.get_include(),
                             str(source)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_c_api_for_native_plugins_is_exported_as_capsules():
    from nncore import _core
    assert {"plugin_tensor", "plugin_contiguous", "plugin_empty", "plugin_wrap"} <= set(
        _core.__pyx_capi__)
    assert os.path.isfile(os.path.join(os.path.dirname(_core.__file__), "_core.pxd"))
