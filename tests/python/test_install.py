"""`pip install --no-build-isolation .` builds and installs a working package offline (as the README says)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import melnorm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.mark.skipif(os.environ.get("MELNORM_SKIP_INSTALL_TEST") == "1", reason="MELNORM_SKIP_INSTALL_TEST=1")
def test_pip_install_in_a_venv_with_system_site_packages(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = dict(os.environ, PYTHONPATH="", CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 1))
    r = subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", ROOT],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    y = np.random.default_rng(0).uniform(-1, 1, 8000).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    code = ("import numpy as np, melnorm, melnorm.dask, melnorm.torch, melnorm.compat.librosa, os; "
            "assert os.path.dirname(melnorm.__file__).startswith(os.environ['VENV']); "
            "assert os.path.exists(os.path.join(os.path.dirname(melnorm.__file__), '__init__.pyi')); "
            "np.save('S.npy', melnorm.melspectrogram(np.load('y.npy'), sr=8000, n_fft=256, hop_length=64))")
    r = subprocess.run([python, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(env, VENV=str(venv)))
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "S.npy"),
                                  melnorm.melspectrogram(y, sr=8000, n_fft=256, hop_length=64))
