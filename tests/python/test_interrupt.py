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
    cmd = [CLI, "extract", FSDD, "-o", str(out), "--sr", "8000", "--n-fft", "1024", "--hop", "8", "--jobs", "1"]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not (out / "manifest.csv").exists():
        time.sleep(0.01)
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


def test_an_interrupted_statistics_pass_resumes_from_the_chunks_it_finished(tmp_path):
    """Stopped while fitting global statistics: the chunks it fitted are kept (OUTDIR/.fit), the same command
    resumes, and stats.json equals a run that was never stopped, byte for byte."""
    if not os.path.isdir(FSDD):
        pytest.skip("FSDD not present")
    out, clean = tmp_path / "out", tmp_path / "clean"
    opts = ["--sr", "8000", "--n-fft", "1024", "--hop", "8", "--normalize", "zscore", "--scope", "global", "--fit-stats",
            "--fit-on", "all", "--jobs", "1"]
    p = subprocess.Popen([CLI, "extract", FSDD, "-o", str(out)] + opts, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not ((out / ".fit").is_dir() and any((out / ".fit").glob("chunk-*.json"))):
        time.sleep(0.01)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    if p.returncode == 0:
        pytest.skip("the statistics pass finished before the signal")
    assert p.returncode == 130, err
    kept = sorted((out / ".fit").glob("chunk-*.json"))
    assert kept, "the finished chunks are kept"
    assert not (out / "stats.json").exists()
    r = subprocess.run([CLI, "extract", FSDD, "-o", str(out), "-q"] + opts, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not (out / ".fit").exists()
    r = subprocess.run([CLI, "extract", FSDD, "-o", str(clean), "-q"] + opts, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (out / "stats.json").read_bytes() == (clean / "stats.json").read_bytes()
