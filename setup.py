"""Builds melnorm's extension with CMake for `pip install --no-build-isolation .`.

Only the library and the extension are built (no CLI, tests or benchmarks),
with the interpreter running pip, in Release. Set CMAKE_BUILD_PARALLEL_LEVEL
to change the number of compile jobs (default: all cores).
"""
import os
import pathlib
import re
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


def version():
    """The file VERSION, the version's one source (CMake reads it too)."""
    text = (ROOT / "VERSION").read_text().strip()
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", text):
        raise RuntimeError(f"VERSION: {text!r} is not MAJOR.MINOR.PATCH")
    return text


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        out_dir = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
             "-DMELNORM_BUILD_CLI=OFF", "-DMELNORM_BUILD_TESTS=OFF", "-DMELNORM_BUILD_BENCH=OFF",
             "-DMELNORM_BUILD_EXPERIMENT=OFF", "-DMELNORM_BUILD_RENDER=OFF",  # the package needs neither libtorch nor cairo
             "-DMELNORM_BUILD_PYTHON=ON", f"-DPython3_EXECUTABLE={sys.executable}"],
            check=True)
        env = dict(os.environ)
        env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_melnorm"], check=True, env=env)
        built = next((build_dir / "python" / "melnorm").glob("_melnorm*.so"))
        out_dir.mkdir(parents=True, exist_ok=True)
        self.copy_file(str(built), str(out_dir / built.name))


# Under build/pip, apart from the CMake build of scripts/build.sh in build/.
setup(version=version(), options={"build": {"build_base": "build/pip"}, "egg_info": {"egg_base": "build/pip"}},
      ext_modules=[Extension("melnorm._melnorm", sources=[])], cmdclass={"build_ext": CMakeBuild})
