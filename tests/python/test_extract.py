"""melnorm.extract and melnorm.dask.extract write the CLI's OUTDIR, byte for byte."""
import filecmp
import os
import subprocess

import pytest

import melnorm

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "data", "samples")
LABELS = os.path.join(SAMPLES, "LABELS.csv")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))

# One set of options, as CLI flags and as Python keywords.
CLI_FLAGS = ["--labels", LABELS, "--sr", "8000", "--n-fft", "512", "--hop", "128", "--n-mels", "40",
             "--pad-to", "1.0", "--format", "packed", "--normalize", "zscore", "--scope", "global", "--fit-stats"]
KWARGS = dict(labels=LABELS, sr=8000, n_fft=512, hop_length=128, n_mels=40, pad_to=1.0, format="packed",
              normalize="zscore", scope="global", fit_stats=True)
FILES = ["options.json", "manifest.csv", "features.npy", "stats.json"]


def run_cli(out_dir, *extra):
    r = subprocess.run([CLI, "extract", SAMPLES, "-o", str(out_dir), "--quiet", *CLI_FLAGS, *extra],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out_dir


def assert_same_outdir(a, b, files=FILES):
    for name in files:
        assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), name


def cut_journal(out_dir, keep_lines):
    """Leaves OUTDIR as an interrupted run would: the journal's first keep_lines entries."""
    path = os.path.join(out_dir, ".progress")
    with open(path) as f:
        lines = f.readlines()
    with open(path, "w") as f:
        f.writelines(lines[:keep_lines])
    os.replace(os.path.join(out_dir, "features.npy"), os.path.join(out_dir, "features.npy.partial"))


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory):
    return run_cli(tmp_path_factory.mktemp("cli") / "out")


def test_extract_equals_the_cli(tmp_path, cli_out):
    summary = melnorm.extract(SAMPLES, tmp_path / "py", **KWARGS, jobs=2)
    assert summary["sources"] == 20 and summary["rows"] == 20 and summary["failed"] == 0
    assert_same_outdir(cli_out, tmp_path / "py")


def test_extract_bad_options_raise_value_error(tmp_path):
    with pytest.raises(ValueError, match="unknown extract option 'hop'"):
        melnorm.extract(SAMPLES, tmp_path / "x", hop=128)
    with pytest.raises(ValueError, match="format='zip' is not supported; allowed: npy, packed, shards"):
        melnorm.extract(SAMPLES, tmp_path / "x", format="zip")
    with pytest.raises(ValueError, match="scope global needs"):
        melnorm.extract(SAMPLES, tmp_path / "x", normalize="zscore", scope="global")
    with pytest.raises(ValueError, match="n_mels='many' must be a positive integer"):
        melnorm.extract(SAMPLES, tmp_path / "x", n_mels="many")
    with pytest.raises(ValueError, match="window='box' is not a known window"):
        melnorm.extract(SAMPLES, tmp_path / "x", window="box")
    with pytest.raises(ValueError, match=r"fft_precision='half' is not supported; allowed: auto, double, single"):
        melnorm.extract(SAMPLES, tmp_path / "x", fft_precision="half")
    with pytest.raises(ValueError, match=r"db='p0': the percentile must be a number in \(0, 100\]"):
        melnorm.extract(SAMPLES, tmp_path / "x", db="p0")
    with pytest.raises(OSError, match="no such folder"):
        melnorm.extract(tmp_path / "missing", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_extract_refuses_other_options_into_an_existing_outdir(tmp_path, cli_out):
    out = tmp_path / "out"
    melnorm.extract(SAMPLES, out, **KWARGS)
    with pytest.raises(ValueError, match="was made with other options .*n_mels"):
        melnorm.extract(SAMPLES, out, **dict(KWARGS, n_mels=32))


def test_stats_pickle_is_exact():
    import pickle
    import numpy as np
    s = melnorm.Stats(4)
    s.update(np.random.default_rng(1).normal(size=(3, 4, 50)).astype(np.float32))
    t = pickle.loads(pickle.dumps(s))
    assert t.to_json() == s.to_json() and t.mean == s.mean and t.std == s.std


def test_dask_extract_with_two_worker_processes_equals_the_cli(tmp_path, cli_out, client):
    import melnorm.dask
    seen = []
    out = tmp_path / "dask"
    summary = melnorm.dask.extract(SAMPLES, out, client, chunk_size=3, progress=lambda d, t: seen.append((d, t)),
                                   **KWARGS)
    assert summary["rows"] == 20 and summary["failed"] == 0
    assert seen[-1] == (20, 20)
    assert_same_outdir(cli_out, out)
    assert len(client.nthreads()) == 2  # really two worker processes


def test_dask_extract_resumes_an_interrupted_outdir_to_the_cli_result(tmp_path, cli_out, client):
    import melnorm.dask
    out = run_cli(tmp_path / "out")
    cut_journal(out, 7)  # as if the run had stopped after 7 clips
    summary = melnorm.dask.extract(SAMPLES, out, client, chunk_size=4, **KWARGS)
    assert summary["resumed"] == 7
    assert_same_outdir(cli_out, out)


def test_dask_extract_from_a_list_of_paths(tmp_path, client):
    import melnorm.dask
    paths = sorted(os.path.join(SAMPLES, d, f) for d in ("3", "7") for f in os.listdir(os.path.join(SAMPLES, d)))
    out = tmp_path / "list"
    summary = melnorm.dask.extract(paths, out, client, sr=8000, n_fft=512, hop_length=128, n_mels=40)
    assert summary["rows"] == len(paths) and summary["failed"] == 0
    ds_rows = open(out / "manifest.csv").read().splitlines()[1:]
    assert [r.split(",")[1] for r in ds_rows] == [os.path.basename(os.path.dirname(p)) for p in paths]


def test_dask_workers_warnings_reach_the_client_once_per_message(tmp_path, client):
    """A worker's library warnings (here: n_fft larger than the short clips, in chunks on two workers'
    chunks) are issued on the client, once per distinct message, not left in the workers' logs."""
    import warnings

    import melnorm.dask
    paths = sorted(os.path.join(SAMPLES, d, f) for d in ("3", "7") for f in os.listdir(os.path.join(SAMPLES, d)))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        summary = melnorm.dask.extract(paths, tmp_path / "w", client, chunk_size=1, sr=8000, n_fft=4096,
                                       hop_length=128, n_mels=40)
    messages = [str(x.message) for x in w if issubclass(x.category, UserWarning)]
    assert summary["rows"] == len(paths)
    assert messages and all("n_fft=4096 is too large" in m for m in messages), messages
    assert len(messages) == len(set(messages))
