"""Ctrl-C during `melnorm extract` (issue 28): one line saying how far it got and that the same command resumes,
exit 130 (SIGINT) / 143 (SIGTERM), and the same command then finishes the OUTDIR."""
import os
import signal
import subprocess
import time

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
FSDD = os.path.join(ROOT, "..", "shared", "data", "fsdd", "recordings")


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_extract_says_how_far_it_got_and_resumes(tmp_path, sig, status):
    if not os.path.isdir(FSDD):
        pytest.skip("FSDD not present")
    out = tmp_path / "out"
    cmd = [CLI, "extract", FSDD, "-o", str(out), "--sr", "8000", "--n-fft", "1024", "--jobs", "1"]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not (out / "manifest.csv").exists():
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(sig)
    _, err = p.communicate(timeout=30)
    assert p.returncode == status, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("melnorm: interrupted after ") and " of 3000 clips" in last, err
    assert last.endswith("run the same command to resume"), err
    r = subprocess.run(cmd + ["-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(out / "manifest.csv") as f:
        assert sum(1 for _ in f) == 3001
