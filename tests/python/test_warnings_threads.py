"""Library warnings in Python (issue 28): each call's own, on its own thread; raised under -W error."""
import subprocess
import sys
import threading
import warnings

import numpy as np

import melnorm


def test_two_threads_never_see_each_others_warnings():
    p = melnorm.Pipeline(sr=8000, n_fft=2048)
    short = np.zeros(500, np.float32)  # n_fft=2048 is too large: warns
    long = np.random.default_rng(0).standard_normal(16000).astype(np.float32)  # no warning
    seen = []
    lock = threading.Lock()

    def record(message, category, filename, lineno, file=None, line=None):
        with lock:
            seen.append((threading.current_thread().name, str(message)))

    def run(y, n):
        for _ in range(n):
            p(y)

    old = warnings.showwarning
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = record
        try:
            a = threading.Thread(target=run, args=(short, 300), name="warns")
            b = threading.Thread(target=run, args=(long, 300), name="quiet")
            a.start(), b.start(), a.join(), b.join()
        finally:
            warnings.showwarning = old
    assert seen, "the short clips warn"
    assert all(name == "warns" for name, _ in seen), [s for s in seen if s[0] != "warns"][:3]
    assert all("n_fft=2048 is too large" in m for _, m in seen)


def test_a_batchs_threads_warn_in_the_call_that_started_them():
    p = melnorm.Pipeline(sr=8000, n_fft=2048, n_threads=2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p(np.zeros((4, 500), np.float32))
    assert len(w) == 1 and "(4 items of the batch)" in str(w[0].message), [str(x.message) for x in w]


def test_warnings_as_errors_raise_from_the_call():
    code = ("import numpy as np, melnorm\n"
            "try:\n"
            "    melnorm.Pipeline(sr=8000, n_fft=2048)(np.zeros(500, np.float32))\n"
            "except UserWarning as e:\n"
            "    print('raised:', e)\n")
    r = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "raised:" in r.stdout and "n_fft=2048 is too large" in r.stdout, r.stdout + r.stderr
