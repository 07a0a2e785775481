"""Build of nncore's native extension.

One extension module, nncore._core, compiled from the Cython binding and every C++ source
under cpp/src. Files named *_avx512.cpp / *_avx2.cpp get that ISA's flags; everything else
is compiled for baseline x86-64, so one build runs on any x86-64 and picks its kernels at
run time. OpenMP is used when the compiler has it; without it the build is single-threaded.
"""
import os
from concurrent.futures import ThreadPoolExecutor
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
CPP_SOURCES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "cpp" / "src").rglob("*.cpp"))

IS_X86 = os.uname().machine in ("x86_64", "AMD64", "i686")
ISA_FLAGS = {
    "_avx512.cpp": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma",
                    "-mprefer-vector-width=512"],
    "_avx2.cpp": ["-mavx2", "-mfma"],
}
# -g0: no debug info, which would triple the installed size. -fno-math-errno and
# -fno-trapping-math (nncore never reads errno or floating-point exception flags) let the
# compiler turn the kernels' selects into blends and vectorise loops around sqrt, exp, log;
# neither changes any computed value.
BASE_FLAGS = ["-std=c++17", "-O3", "-g0", "-fno-math-errno", "-fno-trapping-math",
              "-fvisibility=hidden", "-Wall",
              "-Wno-unused-function"]


def compiler_accepts(flag):
    """True when the C++ compiler builds and links a small OpenMP program with `flag`."""
    src = "#include <omp.h>\nint main(){return omp_get_max_threads() > 0 ? 0 : 1;}\n"
    cxx = os.environ.get("CXX", "c++")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.cpp"
        path.write_text(src)
        result = subprocess.run([cxx, flag, str(path), "-o", str(Path(tmp) / "probe")],
                                capture_output=True)
    return result.returncode == 0


class BuildWithIsaFlags(build_ext):
    """Adds per-ISA flags to the kernel files named for that ISA."""

    def build_extension(self, ext):
        original_compile = self.compiler._compile

        def compile_one(obj, src, ext_name, cc_args, extra_postargs, pp_opts):
            extra = list(extra_postargs)
            if IS_X86:
                for suffix, flags in ISA_FLAGS.items():
                    if src.endswith(suffix):
                        extra += flags
            if src.endswith(".c"):
                extra = [f for f in extra if f != "-std=c++17"]
            return original_compile(obj, src, ext_name, cc_args, extra, pp_opts)

        compiler = self.compiler
        original_batch = compiler.compile

        def compile_parallel(sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                             extra_preargs=None, extra_postargs=None, depends=None):
            # The extension has many independent translation units: build them concurrently.
            macros, objects, postargs, pp_opts, build = compiler._setup_compile(
                output_dir, macros, include_dirs, sources, depends, extra_postargs)
            cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

            def one(obj):
                src, ext_name = build[obj]
                compile_one(obj, src, ext_name, cc_args, postargs, pp_opts)

            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                list(pool.map(one, objects))
            return objects

        compiler.compile = compile_parallel
        try:
            super().build_extension(ext)
        finally:
            compiler.compile = original_batch


class BuildWithHeaders(build_py):
    """Installs the engine's public headers inside the package (nncore/include), where
    nncore.get_include() finds them for native plugins."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "nncore" / "include" / "nncore"
        target.mkdir(parents=True, exist_ok=True)
        for header in (ROOT / "cpp" / "include" / "nncore").glob("*.hpp"):
            self.copy_file(str(header), str(target / header.name))


openmp = ["-fopenmp"] if compiler_accepts("-fopenmp") else []
if not openmp:
    print("nncore: compiler has no OpenMP; building single-threaded", file=sys.stderr)

extension = Extension(
    "nncore._core",
    sources=["nncore/_core.pyx"] + CPP_SOURCES,
    include_dirs=["cpp/include", "cpp/src", numpy.get_include()],
    language="c++",
    extra_compile_args=BASE_FLAGS + openmp,
    extra_link_args=openmp,
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
)

setup(
    ext_modules=cythonize([extension], language_level=3,
                          compiler_directives={"boundscheck": False, "wraparound": False,
                                               "embedsignature": True}),
    cmdclass={"build_ext": BuildWithIsaFlags, "build_py": BuildWithHeaders},
)
