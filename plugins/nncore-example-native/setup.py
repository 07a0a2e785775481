"""Build of the native example plugin: Cython modules over header-only C++ kernels.

The kernel includes nncore's headers, found through the installed nncore; see pyproject.toml
for why that means `pip install --no-build-isolation`.
"""
import os

from Cython.Build import cythonize
from setuptools import Extension, setup

try:
    import nncore
except ImportError as error:
    raise SystemExit("nncore-example-native: building needs nncore installed in this "
                     "environment (its headers come from nncore.get_include()); install "
                     "nncore first, then this plugin with pip install --no-build-isolation"
                     ) from error

# What lets GCC vectorise the kernels: -O3 turns on the loop vectoriser; -fno-math-errno
# makes std::sqrt an instruction rather than a call that may set errno; with
# -fno-trapping-math (clang's default; the plugin never reads floating-point exception
# flags) both sides of a ?: may be computed, so it becomes a blend instead of a branch.
# -g0: Python's default -g would make the installed module several times larger.
COMPILE_ARGS = ["-std=c++17", "-O3", "-g0", "-fno-math-errno", "-fno-trapping-math"]


def kernel_extension(name, headers):
    """One Cython module over header-only kernels; rebuilt when a header changes."""
    return Extension(
        f"nncore_example_native.{name}",
        sources=[f"src/nncore_example_native/{name}.pyx"],
        depends=[f"src/nncore_example_native/{h}" for h in headers],
        include_dirs=[nncore.get_include()],
        language="c++",
        extra_compile_args=COMPILE_ARGS,
    )


extensions = [
    kernel_extension("_squareplus", ["squareplus.hpp"]),
    kernel_extension("_parametric_squareplus",
                     ["parametric_squareplus.hpp", "squareplus.hpp"]),
]

# Cython finds nncore/_core.pxd (the tensor type and the C API) next to the installed package.
nncore_parent = os.path.dirname(os.path.dirname(os.path.abspath(nncore.__file__)))
setup(ext_modules=cythonize(extensions, language_level=3, include_path=[nncore_parent]))
